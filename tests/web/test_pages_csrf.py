"""Every form that changes something carries a token bound to the session, or is refused."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.queries import get_instance
from service.store.database import unit_of_work
from service.web import csrf, pages
from service.web.pages.routing import PageRoute

SIGNED_IN_FORMS = sorted(
    route.path
    for area in pages.AREAS
    for route in area.routes
    if isinstance(route, APIRoute) and "POST" in route.methods and route.path != "/sign-in"
)


def test_every_page_route_renders_its_refusals_as_pages() -> None:
    routes = [route for area in pages.AREAS for route in area.routes]

    assert routes
    assert all(isinstance(route, PageRoute) for route in routes)


def test_every_form_page_is_covered_here() -> None:
    assert SIGNED_IN_FORMS == [
        "/cycles/{cycle_id}/artifacts/{kind}",
        "/cycles/{cycle_id}/artifacts/{kind}/comments",
        "/cycles/{cycle_id}/artifacts/{kind}/signoffs",
        "/cycles/{cycle_id}/records/{kind}",
        "/cycles/{cycle_id}/records/{kind}/{item}",
        "/cycles/{cycle_id}/share",
        "/cycles/{cycle_id}/triggers/{trigger}",
        "/cycles/{cycle_id}/unshare",
        "/programs/{program_id}/schools/{school_id}/advance",
        "/programs/{program_id}/schools/{school_id}/enrol",
        "/programs/{program_id}/settings",
        "/programs/{program_id}/surveys/upload",
        "/sign-out",
        "/teams/{team_id}/calendar-link",
        "/teams/{team_id}/calendar-link/revoke",
        "/teams/{team_id}/checkins",
        "/teams/{team_id}/cycles",
        "/teams/{team_id}/onboarding",
        "/teams/{team_id}/self-assessment",
    ]


@pytest.mark.parametrize("path", SIGNED_IN_FORMS)
@pytest.mark.parametrize("token", [None, "", "0" * 64, "another session"])
def test_a_form_without_the_sessions_token_is_refused_and_changes_nothing(
    client: TestClient, web_db: Engine, path: str, token: str | None
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    if token == "another session":
        token = csrf.token_for("some other session token")
    url = path.format(
        cycle_id=cycle_id,
        team_id=team.team_id,
        kind="theory_of_action",
        trigger="step_back",
        program_id=team.program_id,
        school_id=0,
        item=1,
    )
    data = {"goal": "Sneaky", "reason": "Sneaky", "condition": "vision-and-strategy"}
    if token is not None:
        data["csrf_token"] = token

    response = client.post(url, data=data)

    assert response.status_code == 403
    assert response.template.name == "error.html"
    with unit_of_work(web_db, write=False) as session:
        assert get_instance(session=session, instance_id=cycle_id).version == 1
    assert client.get(f"/teams/{team.team_id}").status_code == 200  # still signed in


def test_tokens_differ_by_session_and_only_the_matching_one_is_valid() -> None:
    first, second = csrf.token_for("session-a"), csrf.token_for("session-b")

    assert first != second
    assert csrf.is_valid("session-a", first)
    assert not csrf.is_valid("session-b", first)
    assert not csrf.is_valid(None, first)
    assert not csrf.is_valid("session-a", None)


def test_the_page_token_is_the_hmac_of_the_session_cookie(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    assert form_token(client, team.team_id) == csrf.token_for(client.cookies["improve_session"])
