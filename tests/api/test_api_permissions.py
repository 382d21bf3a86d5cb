"""Who may do what to which team: the whole policy as one table, checked route by route.

A caller who may not even read a resource is told it does not exist (404); a caller who
may read it but not do this to it is refused (403). Where the caller is allowed, a route
answers with what the work itself says: 200/201, or 409 when the cycle refuses (the gate
of `start_planning` is unmet; the team already has an open cycle).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from api_helpers import (
    Api,
    assert_refused_without_data,
    coach_of,
    member_of,
    new_org,
    new_person,
    new_team_in,
    new_user,
    program_admin,
    unique,
)
from httpx2 import Response

from service.instances import start_cycle
from service.store.database import unit_of_work

ROUTES = (
    "read status",
    "read history",
    "save artifact",
    "fire trigger",
    "start cycle",
    "add member",
    "create school",
)

# One answer per route, in the order of ROUTES.
EVERYTHING = (200, 200, 200, 409, 409, 201, 201)
WORKS = (200, 200, 200, 409, 409, 403, 404)  # a member: works the team, cannot staff it
READS = (200, 200, 403, 403, 403, 403, 404)  # a coach: reads the team, changes nothing
NOTHING = (404, 404, 404, 404, 404, 404, 404)  # a stranger: the team does not exist

TARGETS = ("the team", "a team in the same school", "a team in another program")

# "Another team" is the team's neighbour in the same school; "another program" has its own.
# fmt: off
EXPECTED: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {
    # caller                     the team    same school another program
    "site admin":               (EVERYTHING, EVERYTHING, EVERYTHING),
    "program admin":            (EVERYTHING, EVERYTHING, NOTHING),
    "admin of another program": (NOTHING,    NOTHING,    EVERYTHING),
    "team member":              (WORKS,      NOTHING,    NOTHING),
    "member of another team":   (NOTHING,    WORKS,      NOTHING),
    "coach":                    (READS,      NOTHING,    NOTHING),
    "coach of another team":    (NOTHING,    READS,      NOTHING),
}
# fmt: on

# What a 409 must be about, so a refusal by the cycle is never mistaken for a permission.
CONFLICT_KIND = {"fire trigger": "gates_unmet", "start cycle": "already_open"}


@dataclass(frozen=True)
class Place:
    program_id: int
    team_id: int
    team_name: str
    cycle_id: int


@dataclass(frozen=True)
class World:
    places: dict[str, Place]
    tokens: dict[str, str]


_worlds: dict[str, World] = {}


def _open_cycle(api: Api, team_id: int) -> int:
    with unit_of_work(api.db) as session:
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition="vision-and-strategy",
            reason="Greatest need",
            actor_id=None,
        )
        return cycle.id or 0


def _world(api: Api) -> World:
    """Two programs, three teams with a cycle each, and one caller per role.

    Built once per database: every request below leaves the outcome of the others as it
    was (drafts stay incomplete, the cycles stay open, new schools and members are unique).
    """
    url = api.db.url.render_as_string(hide_password=False)
    if url in _worlds:
        return _worlds[url]
    home, away = new_org(api.db), new_org(api.db)
    sibling_id, sibling_name = new_team_in(api.db, home.school_id)
    places = {
        "the team": Place(home.program_id, home.team_id, home.team_name, 0),
        "a team in the same school": Place(home.program_id, sibling_id, sibling_name, 0),
        "a team in another program": Place(away.program_id, away.team_id, away.team_name, 0),
    }
    places = {
        target: Place(p.program_id, p.team_id, p.team_name, _open_cycle(api, p.team_id))
        for target, p in places.items()
    }
    callers = {
        "site admin": new_user(api, site_admin=True),
        "program admin": program_admin(api, home.program_id),
        "admin of another program": program_admin(api, away.program_id),
        "team member": member_of(api, home.team_id),
        "member of another team": member_of(api, sibling_id),
        "coach": coach_of(api, home.team_id),
        "coach of another team": coach_of(api, sibling_id),
    }
    world = World(places, {role: user.token for role, user in callers.items()})
    _worlds[url] = world
    return world


def _request(api: Api, token: str, route: str, place: Place) -> Response:
    client, headers = api.client, {"Authorization": f"Bearer {token}"}
    team, cycle = f"/api/teams/{place.team_id}", f"/api/cycles/{place.cycle_id}"
    if route == "read status":
        return client.get(f"{team}/status", headers=headers)
    if route == "read history":
        return client.get(f"{cycle}/history", headers=headers)
    if route == "save artifact":
        draft = {"goal": "A draft, never complete."}
        return client.put(f"{cycle}/artifacts/theory_of_action", json=draft, headers=headers)
    if route == "fire trigger":
        return client.post(f"{cycle}/triggers/start_planning", headers=headers)
    if route == "start cycle":
        body = {"condition": "shared-influence", "reason": "Another one"}
        return client.post(f"{team}/cycles", json=body, headers=headers)
    if route == "add member":
        newcomer_id, _, _ = new_person(api.db, with_password=False)
        return client.post(f"{team}/members", json={"user_id": newcomer_id}, headers=headers)
    if route == "create school":
        school = {"name": "New school", "code": unique("S")}
        return client.post(
            f"/api/programs/{place.program_id}/schools", json=school, headers=headers
        )
    raise AssertionError(f"no request for {route!r}")


CASES = [
    pytest.param(caller, route, target, EXPECTED[caller][t][r], id=f"{caller}|{route}|{target}")
    for caller in EXPECTED
    for t, target in enumerate(TARGETS)
    for r, route in enumerate(ROUTES)
]


@pytest.mark.parametrize(("caller", "route", "target", "expected"), CASES)
def test_the_permission_matrix(
    api: Api, caller: str, route: str, target: str, expected: int
) -> None:
    world = _world(api)
    place = world.places[target]

    response = _request(api, world.tokens[caller], route, place)

    assert response.status_code == expected, response.text
    if expected in (403, 404):
        assert_refused_without_data(response, place.team_name)
    if expected == 409:
        assert response.json()["detail"]["kind"] == CONFLICT_KIND[route]


def test_the_matrix_covers_every_role_route_and_target() -> None:
    assert len(CASES) == 7 * len(ROUTES) * len(TARGETS)
    assert all(len(answers) == len(ROUTES) for row in EXPECTED.values() for answers in row)


# The same policy, told as stories about one team.


def test_a_member_reads_and_works_their_own_team(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    created = member.post(
        f"/api/teams/{org.team_id}/cycles", json={"condition": "shared-influence", "reason": "Us"}
    )
    assert created.status_code == 201
    cycle_id = created.json()["cycle_id"]
    assert member.get(f"/api/teams/{org.team_id}/status").status_code == 200
    saved = member.put(f"/api/cycles/{cycle_id}/artifacts/theory_of_action", json={"goal": "g"})
    assert saved.status_code == 200


def test_a_coach_reads_but_cannot_edit_a_team_on_their_caseload(api: Api) -> None:
    org = new_org(api.db)
    cycle_id = _open_cycle(api, org.team_id)
    coach = coach_of(api, org.team_id)
    for url in (
        f"/api/teams/{org.team_id}",
        f"/api/teams/{org.team_id}/status",
        f"/api/teams/{org.team_id}/members",
        f"/api/teams/{org.team_id}/cycles",
        f"/api/cycles/{cycle_id}",
        f"/api/cycles/{cycle_id}/history",
        f"/api/cycles/{cycle_id}/diagram",
        f"/api/cycles/{cycle_id}/artifacts/theory_of_action",
        f"/api/cycles/{cycle_id}/artifacts/theory_of_action/revisions",
        f"/api/cycles/{cycle_id}/records/data_collection",
    ):
        assert coach.get(url).status_code == 200, url
    for response in (
        coach.put(f"/api/cycles/{cycle_id}/artifacts/theory_of_action", json={"goal": "g"}),
        coach.post(f"/api/cycles/{cycle_id}/records/data_collection", json={}),
        coach.put(f"/api/cycles/{cycle_id}/records/data_collection/1", json={}),
        coach.post(f"/api/cycles/{cycle_id}/triggers/start_planning"),
        coach.post(f"/api/teams/{org.team_id}/onboarding"),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": "you may not work this"}
    history = coach.get(f"/api/cycles/{cycle_id}/history").json()
    assert [e["trigger"] for e in history] == ["start"]


def test_a_stranger_is_told_a_team_and_its_cycles_do_not_exist(api: Api) -> None:
    org = new_org(api.db)
    cycle_id = _open_cycle(api, org.team_id)
    stranger = new_user(api)
    for url in (
        f"/api/teams/{org.team_id}",
        f"/api/teams/{org.team_id}/status",
        f"/api/cycles/{cycle_id}",
        f"/api/cycles/{cycle_id}/artifacts/theory_of_action",
    ):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert_refused_without_data(response, org.team_name)
    unknown = stranger.get("/api/teams/1000000000")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "team 1000000000 not found"
    assert stranger.get(f"/api/teams/{org.team_id}").json()["detail"] == (
        f"team {org.team_id} not found"
    )
