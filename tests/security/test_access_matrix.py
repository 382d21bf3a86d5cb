"""Every route the app answers, asked by everyone who must not see one team's work.

The matrix is read off the app's own route table. A route that names a program, school,
team or cycle in its path must refuse the victim's resources to an anonymous caller (401 from
the API, a redirect to sign-in from a page) and to every stranger (403 or 404), and no answer
may carry any of the marker strings planted in the victim's data. A route that names no such
resource must be listed below with why it is open; a new one that is not fails the test.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from route_table import SELF_ENDING, Endpoint, endpoints, unfillable, url
from security_world import STRANGERS, Person, World

from service.web import csrf
from service.web.app import create_app
from service.web.pages import cookies
from service.web.pages.routing import SIGN_IN

RESOURCES = frozenset({"program_id", "school_id", "team_id", "cycle_id"})

PUBLIC = {
    "GET /openapi.json": "the API's description, the same for everyone",
    "GET /docs": "the API's interactive documentation page",
    "GET /docs/oauth2-redirect": "part of the documentation page's sign-in",
    "GET /docs/assets": "the documentation page's script, stylesheet and icon",
    "GET /static": "stylesheets and scripts, the same for everyone",
    "GET /healthz": "a liveness probe for the load balancer",
    "GET /readyz": "a readiness probe for the load balancer",
    "GET /sign-in": "the way in",
    "POST /sign-in": "the way in",
    "POST /api/auth/token": "the way in, for API clients",
}
"""Open to anyone; asked anonymously, they still never answer with the victim's data."""

OWN = {
    "GET /api/users/me": "the caller's own account",
    "GET /api/programs": "the programs the caller administers",
    "POST /api/programs": "only site admins create programs",
    "POST /api/users": "any admin creates accounts; an account is in no program until added",
    "GET /api/coach/caseload": "the caller's own caseload",
    "GET /api/coach/stage-board": "the caller's own caseload, by stage",
    "GET /api/workflows": "the published workflow definitions, the same for everyone",
    "GET /api/workflows/{name}": "one published definition",
    "GET /api/workflows/{name}/diagram": "one published definition's diagram",
    "GET /": "the caller's home page",
    "GET /teams": "the caller's own teams",
    "GET /coach/caseload": "the caller's own caseload",
    "GET /coach/stage-board": "the caller's own caseload, by stage",
    "GET /programs": "the programs the caller administers",
}
"""For signed-in callers only, and about the caller: a stranger may get an answer, never data."""

WORKPLACE = {
    "GET /api/programs/{program_id}/shared": "what teams of the program chose to share",
    "GET /programs/{program_id}/shared": "what teams of the program chose to share",
    "GET /schools/{school_id}/profile": "a school's survey scores, for everyone working in it",
}
"""Read by everyone who works in the program or school, as the strangers in the victim's school
do; never by the admin of another program. The victim's cycle is not shared."""

QUERY = {
    "GET /api/programs/{program_id}/outcomes": {"from": "2024-25", "to": "2025-26"},
}

ENDPOINTS = endpoints(create_app())


def _rule(endpoint: Endpoint) -> str | None:
    key = str(endpoint)
    for rule, table in (
        ("public", PUBLIC),
        ("own", OWN),
        ("self-ending", SELF_ENDING),
        ("workplace", WORKPLACE),
    ):
        if key in table:
            return rule
    if RESOURCES & set(endpoint.parameters):
        return "denied"
    return None


def _ask(client: TestClient, world: World, endpoint: Endpoint, who: Person | None) -> Response:
    """The request a client of this kind makes, with this person's credentials (or none)."""
    params: dict[str, str] = dict(QUERY.get(str(endpoint), {}))
    headers: dict[str, str] = {}
    cookie_jar: dict[str, str] = {}
    body: dict[str, object] = {}
    if who is not None and endpoint.is_page:
        cookie_jar[cookies.SESSION] = who.session_token
        if endpoint.method == "POST":
            body["data"] = {"csrf_token": csrf.token_for(who.session_token)}
    elif who is not None:
        headers = who.headers
        if endpoint.path.endswith("/calendar.ics"):
            params["token"] = who.calendar_token
    if not endpoint.is_page and endpoint.method in ("POST", "PUT"):
        body["json"] = {}
    client.cookies.clear()
    client.cookies.update(cookie_jar)
    return client.request(
        endpoint.method, url(world, endpoint), params=params, headers=headers, **body
    )


def _anonymous_refusal(endpoint: Endpoint, response: Response) -> bool:
    if endpoint.is_page:
        return response.status_code == 303 and response.headers["location"] == SIGN_IN
    return response.status_code == 401


def _leaks(world: World, response: Response, who: str | None) -> list[str]:
    secrets = [*world.markers]
    if who is None or who == "admin of another program":
        secrets += world.program_markers
    return [s for s in secrets if s in response.text]


def test_every_route_has_a_rule_and_every_parameter_a_value(world: World) -> None:
    without_rule = [str(e) for e in ENDPOINTS if _rule(e) is None]
    unfilled = {str(e): unfillable(world, e) for e in ENDPOINTS if unfillable(world, e)}

    assert without_rule == [], "add these to a table in test_access_matrix with why"
    assert unfilled == {}, "teach route_table.path_values these parameters"


def test_the_matrix_covers_the_api_and_the_pages() -> None:
    rules = {str(e): _rule(e) for e in ENDPOINTS}

    assert rules["POST /api/cycles/{cycle_id}/triggers/{trigger}"] == "denied"
    assert rules["POST /cycles/{cycle_id}/triggers/{trigger}"] == "denied"
    assert rules["GET /programs/{program_id}/dashboard.csv"] == "denied"
    assert sum(rule == "denied" for rule in rules.values()) >= 50


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_no_stranger_gets_the_victims_data(
    client: TestClient, world: World, endpoint: Endpoint
) -> None:
    rule = _rule(endpoint)
    if rule is None:
        pytest.fail(f"{endpoint} has no rule; see test_every_route_has_a_rule...")
    wrong: dict[str, str] = {}

    anonymous = _ask(client, world, endpoint, None)
    if rule != "public" and not _anonymous_refusal(endpoint, anonymous):
        wrong["anonymous"] = f"answered {anonymous.status_code}"
    if leaked := _leaks(world, anonymous, None):
        wrong["anonymous"] = f"received {leaked}"

    for role in STRANGERS if rule in ("denied", "own", "workplace") else ():
        response = _ask(client, world, endpoint, world.person(role))
        colleague = rule == "workplace" and role != "admin of another program"
        if rule == "denied" or (rule == "workplace" and not colleague):
            if response.status_code not in (403, 404):
                wrong[role] = f"answered {response.status_code}"
        elif response.status_code >= 500:
            wrong[role] = f"answered {response.status_code}"
        if leaked := _leaks(world, response, role):
            wrong[role] = f"received {leaked}"

    assert wrong == {}


def test_the_planted_markers_reach_the_people_who_may_see_them(
    client: TestClient, world: World
) -> None:
    # Otherwise a marker nobody can read would make every stranger's check pass vacuously.
    reads = [e for e in ENDPOINTS if e.method == "GET" and _rule(e) == "denied"]
    seen = {
        secret
        for role in ("team member", "program admin")
        for endpoint in reads
        for secret in (*world.markers, *world.program_markers)
        if secret in _ask(client, world, endpoint, world.person(role)).text
    }

    assert seen == {*world.markers, *world.program_markers}
