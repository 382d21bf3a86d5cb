"""Signing in, bearer tokens and who am I, through /api/auth and /api/users/me."""

from __future__ import annotations

import datetime as dt

from api_helpers import (
    PASSWORD,
    Api,
    coach_of,
    join_team,
    make_program_admin,
    member_of,
    new_org,
    new_person,
    new_user,
    sign_in,
)
from httpx2 import Response

from service.security import issue_token
from service.settings import get_settings
from service.store.database import unit_of_work

ME = "/api/users/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _issue(api: Api, person_id: int, *, kind: str, ttl: dt.timedelta) -> str:
    with unit_of_work(api.db) as session:
        return issue_token(session=session, person_id=person_id, kind=kind, ttl=ttl)  # type: ignore[arg-type]


def _assert_asked_to_sign_in(response: Response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_right_password_gets_a_bearer_token_that_lasts_the_configured_time(api: Api) -> None:
    _, email, _ = new_person(api.db)
    response = sign_in(api.client, email)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().token_ttl_minutes * 60
    assert len(body["access_token"]) >= 32
    assert api.client.get(ME, headers=_bearer(body["access_token"])).json()["email"] == email


def test_the_e_mail_is_matched_whatever_its_case_and_surrounding_spaces(api: Api) -> None:
    _, email, _ = new_person(api.db)
    assert sign_in(api.client, f"  {email.upper()} ").status_code == 200


def test_a_wrong_password_and_an_unknown_e_mail_are_refused_alike(api: Api) -> None:
    _, email, _ = new_person(api.db)
    wrong_password = sign_in(api.client, email, PASSWORD + "!")
    unknown_email = sign_in(api.client, "nobody-at-all@example.org")
    for response in (wrong_password, unknown_email):
        _assert_asked_to_sign_in(response)
    assert wrong_password.json() == unknown_email.json() == {"detail": "wrong e-mail or password"}


def test_a_person_without_a_password_cannot_sign_in(api: Api) -> None:
    _, email, _ = new_person(api.db, with_password=False)
    response = sign_in(api.client, email, PASSWORD)
    _assert_asked_to_sign_in(response)
    assert response.json() == {"detail": "wrong e-mail or password"}


def test_signing_in_needs_both_form_fields(api: Api) -> None:
    response = api.client.post("/api/auth/token", data={"username": "someone@example.org"})
    assert response.status_code == 422
    assert ["body", "password"] in [error["loc"] for error in response.json()["detail"]]


def test_a_request_without_a_token_is_asked_to_sign_in(api: Api) -> None:
    response = api.client.get(ME)
    _assert_asked_to_sign_in(response)
    assert "sign in" in response.json()["detail"]


def test_a_garbage_token_or_another_scheme_is_asked_to_sign_in(api: Api) -> None:
    for headers in (
        _bearer("not-a-token"),
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        _assert_asked_to_sign_in(api.client.get(ME, headers=headers))


def test_a_revoked_token_stops_working_at_once_but_other_tokens_do_not(api: Api) -> None:
    user = new_user(api)
    other = sign_in(api.client, user.email).json()["access_token"]
    revoked = user.post("/api/auth/revoke")
    assert revoked.status_code == 204
    assert revoked.content == b""
    response = user.get(ME)
    _assert_asked_to_sign_in(response)
    assert "revoked" in response.json()["detail"]
    _assert_asked_to_sign_in(user.post("/api/auth/revoke"))
    assert api.client.get(ME, headers=_bearer(other)).status_code == 200


def test_an_expired_token_is_refused(api: Api) -> None:
    person_id, _, _ = new_person(api.db)
    token = _issue(api, person_id, kind="api", ttl=-dt.timedelta(seconds=1))
    _assert_asked_to_sign_in(api.client.get(ME, headers=_bearer(token)))


def test_a_page_session_token_does_not_open_the_api(api: Api) -> None:
    person_id, _, _ = new_person(api.db)
    token = _issue(api, person_id, kind="session", ttl=dt.timedelta(hours=1))
    _assert_asked_to_sign_in(api.client.get(ME, headers=_bearer(token)))


def test_me_shows_a_plain_person_with_no_roles(api: Api) -> None:
    user = new_user(api)
    assert user.get(ME).json() == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "is_site_admin": False,
        "roles": [],
        "member_of": [],
        "coach_of": [],
        "admin_of": [],
    }


def test_me_shows_a_site_admin(api: Api) -> None:
    user = new_user(api, site_admin=True)
    me = user.get(ME).json()
    assert me["is_site_admin"] is True
    assert me["roles"] == ["site admin"]


def test_me_shows_every_role_a_person_holds_with_its_teams_and_programs(api: Api) -> None:
    home, caseload = new_org(api.db), new_org(api.db)
    user = member_of(api, home.team_id)
    join_team(api.db, caseload.team_id, user.id, "coach")
    make_program_admin(api.db, caseload.program_id, user.id)
    me = user.get(ME).json()
    assert me["roles"] == ["program admin", "coach", "team member"]
    assert me["member_of"] == [home.team_id]
    assert me["coach_of"] == [caseload.team_id]
    assert me["admin_of"] == [caseload.program_id]


def test_me_shows_a_coach_only_as_a_coach(api: Api) -> None:
    org = new_org(api.db)
    me = coach_of(api, org.team_id).get(ME).json()
    assert (me["roles"], me["coach_of"], me["member_of"]) == (["coach"], [org.team_id], [])
