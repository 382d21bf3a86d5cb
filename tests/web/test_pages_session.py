"""Signing in and out of the pages: the session cookie, its flags, and where a person lands."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import PASSWORD, new_person, new_team, sign_in, signed_in
from sqlalchemy import Engine

from service.security import person_for_token
from service.settings import get_settings
from service.store.database import unit_of_work
from service.web import csrf
from service.web.app import create_app
from service.web.pages import cookies
from service.web.pages.session import WRONG_CREDENTIALS


def _set_cookie(response: Response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_the_sign_in_form_is_bound_to_a_presession_cookie(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert page.template.name == "sign_in.html"
    nonce = client.cookies[cookies.PRESESSION]
    assert page.context["csrf_token"] == csrf.token_for(nonce)
    assert page.context["error"] is None


def test_a_member_of_one_team_lands_on_its_page_with_a_session_cookie(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    email = new_person(web_db, member_of=(team.team_id,))

    response = sign_in(client, email)

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{team.team_id}"
    cookie = _set_cookie(response, cookies.SESSION)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert f"Max-Age={get_settings().token_ttl_minutes * 60}" in cookie
    assert client.get(response.headers["location"]).template.name == "team.html"
    assert client.get("/", follow_redirects=False).headers["location"] == f"/teams/{team.team_id}"


def test_signing_in_again_revokes_the_previous_session(client: TestClient, web_db: Engine) -> None:
    email = new_person(web_db)
    signed_in(client, email)
    first = client.cookies[cookies.SESSION]

    signed_in(client, email)

    with unit_of_work(web_db, write=False) as session:
        assert person_for_token(session=session, token=first, kind="session") is None
        second = client.cookies[cookies.SESSION]
        assert person_for_token(session=session, token=second, kind="session") is not None


def test_the_session_cookie_is_secure_when_the_settings_say_so(
    web_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = new_person(web_db)
    monkeypatch.setenv("IMPROVE_SECURE_COOKIES", "true")
    get_settings.cache_clear()

    with TestClient(create_app(), base_url="https://testserver") as client:
        response = sign_in(client, email)

    cookie = _set_cookie(response, cookies.SESSION)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


@pytest.mark.parametrize("wrong", ["password", "email"])
def test_a_wrong_email_or_password_gets_the_form_again_with_one_message(
    client: TestClient, web_db: Engine, wrong: str
) -> None:
    email = new_person(web_db)
    if wrong == "email":
        email = f"nobody-{email}"
    password = "not the password" if wrong == "password" else PASSWORD

    response = sign_in(client, email, password)

    assert response.status_code == 401
    assert response.template.name == "sign_in.html"
    assert response.context["error"] == WRONG_CREDENTIALS
    assert response.context["email"] == email
    assert cookies.SESSION not in client.cookies


def test_sign_in_without_the_forms_token_is_refused(client: TestClient, web_db: Engine) -> None:
    email = new_person(web_db)
    client.get("/sign-in")

    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})

    assert response.status_code == 403
    assert response.template.name == "error.html"
    assert cookies.SESSION not in client.cookies


def test_signing_out_revokes_the_session(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    token = client.cookies[cookies.SESSION]
    form = client.get(f"/teams/{team.team_id}").context["csrf_token"]

    response = client.post("/sign-out", data={"csrf_token": form}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    with unit_of_work(web_db, write=False) as session:
        assert person_for_token(session=session, token=token, kind="session") is None
    client.cookies.set(cookies.SESSION, token)  # a copy of the old cookie no longer works
    after = client.get(f"/teams/{team.team_id}", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"] == "/sign-in"


def test_signing_out_without_the_forms_token_is_refused(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    response = client.post("/sign-out", follow_redirects=False)

    assert response.status_code == 403
    assert client.get(f"/teams/{team.team_id}").status_code == 200


@pytest.mark.parametrize("path", ["/", "/teams", "/teams/1"])
def test_pages_send_a_browser_without_a_session_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_a_coach_and_a_member_of_several_teams_land_on_the_list_of_their_teams(
    client: TestClient, web_db: Engine
) -> None:
    first, second, other = new_team(web_db), new_team(web_db), new_team(web_db)
    email = new_person(web_db, member_of=(first.team_id,), coach_of=(second.team_id,))

    response = sign_in(client, email)

    assert response.headers["location"] == "/teams"
    page = client.get("/teams")
    assert page.template.name == "teams.html"
    roles = {entry.team_id: entry.role for entry in page.context["teams"]}
    assert roles == {first.team_id: "Member", second.team_id: "Coach (read only)"}
    assert other.team_id not in roles


def test_a_program_admin_sees_every_team_in_their_program(
    client: TestClient, web_db: Engine
) -> None:
    team, elsewhere = new_team(web_db), new_team(web_db)
    email = new_person(web_db, admin_of=(team.program_id,))

    assert sign_in(client, email).headers["location"] == "/teams"

    entries = client.get("/teams").context["teams"]
    assert [(e.team_id, e.role) for e in entries] == [(team.team_id, "Program admin")]
    assert elsewhere.team_id not in {e.team_id for e in entries}
