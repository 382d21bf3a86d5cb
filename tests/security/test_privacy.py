"""A school-scale with fewer respondents than min_n never shows its value, anywhere.

The small school's three respondents score 4.333 then 4.667 on every condition (a change of
0.333); had it been counted, the program's mean change would read 0.667. None of those figures
may appear in the API, the report's CSV, JSON or table, or any page about surveys, which are
found in the app's route table so that new ones are covered when they arrive. People outside a
school do not see its scores at all.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from route_table import PARAMETER, Endpoint, endpoints
from security_world import Person, marker, new_person
from sqlalchemy import Engine
from survey_files import responses_csv, systems_instrument, upload
from typer.testing import CliRunner

from service.cli import app as cli
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_program,
)
from service.store.database import get_engine, unit_of_work
from service.web.pages import cookies

WAVES = {"from": "W1", "to": "W2"}
SMALL_LEVELS = {"W1": (4, 4, 5), "W2": (5, 5, 4)}
COUNTED_LEVELS = {wave: levels * 2 for wave, levels in SMALL_LEVELS.items()}
"""The same means from six respondents: enough to be shown, for the control."""
BIG_LEVELS = {"W1": (2,) * 6, "W2": (3,) * 6}
SUPPRESSED = re.compile(r"(?<![\d.])(?:4\.3{2,}|4\.6+7|0\.3{2,}|0\.6+7)(?!\d)")
"""The small school's means and change, and the program mean change had it been counted."""

SURVEY_WORDS = ("survey", "outcomes", "profile", "scores")


@dataclass(frozen=True)
class Surveyed:
    program_id: int
    schools: dict[str, int]
    teams: dict[str, int]
    big_name: str
    admin: Person
    small_member: Person


def _surveyed(
    db: Engine, client: TestClient, small_levels: dict[str, tuple[int, ...]] = SMALL_LEVELS
) -> Surveyed:
    """Two schools, each with a team and a member; two waves of systems-conditions responses."""
    admin, small_member = new_person(db, "program admin"), new_person(db, "team member")
    big_name = f"Big {marker('school')}"
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Privacy program").id or 0
        add_program_admin(session=session, program_id=program_id, person_id=admin.id)
        schools = {
            code: add_school(session=session, program_id=program_id, name=name, code=code).id or 0
            for code, name in (("BIG", big_name), ("SMALL", "Small school"))
        }
        teams = {
            code: add_team(session=session, school_id=school, name=f"{code} team").id or 0
            for code, school in schools.items()
        }
        add_to_team(
            session=session, team_id=teams["SMALL"], person_id=small_member.id, role="member"
        )
    instrument = systems_instrument(db)
    for wave, day in (("W1", "2024-10-01"), ("W2", "2025-10-01")):
        respondents = [
            (code, day, uuid.uuid4().hex, level)
            for code, levels in (("BIG", BIG_LEVELS[wave]), ("SMALL", small_levels[wave]))
            for level in levels
        ]
        imported = upload(
            client, program_id, responses_csv(instrument, respondents), admin.headers, wave
        )
        assert imported.status_code == 200, imported.text
    return Surveyed(program_id, schools, teams, big_name, admin, small_member)


def _survey_pages(app: FastAPI) -> list[Endpoint]:
    """Every GET route about survey results, the API's and the pages', plus the team page."""
    return [
        e
        for e in endpoints(app)
        if e.method == "GET"
        and (any(w in e.path for w in SURVEY_WORDS) or e.path == "/teams/{team_id}")
    ]


def _get(client: TestClient, endpoint: Endpoint, who: Person, values: dict[str, int]) -> str:
    client.cookies.clear()
    if endpoint.is_page:
        client.cookies.set(cookies.SESSION, who.session_token)
    path = PARAMETER.sub(lambda m: str(values[m.group(1)]), endpoint.path)
    response = client.get(path, params=WAVES, headers={} if endpoint.is_page else who.headers)
    assert response.status_code == 200, f"{endpoint}: {response.status_code}"
    return response.text


def test_the_outcomes_api_reports_the_small_school_as_suppressed_and_counts_it_nowhere(
    client: TestClient, database_url: str
) -> None:
    place = _surveyed(get_engine(database_url), client)

    response = client.get(
        f"/api/programs/{place.program_id}/outcomes", params=WAVES, headers=place.admin.headers
    )

    body = response.json()
    small = [s for s in body["schools"] if s["school_code"] == "SMALL"]
    assert small and all(s["suppressed"] for s in small)
    assert {(s["from_mean"], s["to_mean"], s["change"], s["ci_low"]) for s in small} == {
        (None, None, None, None)
    }
    assert {c["schools_compared"] for c in body["conditions"]} == {1}
    assert {c["mean_change"] for c in body["conditions"]} == {1.0}
    assert not SUPPRESSED.search(response.text)


def _shown_by_route(app: FastAPI, client: TestClient, place: Surveyed) -> dict[str, list[str]]:
    """What each survey route shows the program's admin about the small school, by route."""
    values = {
        "program_id": place.program_id,
        "school_id": place.schools["SMALL"],
        "team_id": place.teams["SMALL"],
    }
    routes = _survey_pages(app)
    unfilled = [str(e) for e in routes if set(e.parameters) - values.keys()]
    assert unfilled == [], "teach this test the parameters of these survey routes"
    return {str(e): SUPPRESSED.findall(_get(client, e, place.admin, values)) for e in routes}


def test_the_small_schools_values_would_be_seen_once_it_reaches_min_n(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    # The control: the pattern finds these figures wherever the routes print a school's scores.
    place = _surveyed(get_engine(database_url), client, COUNTED_LEVELS)

    shown = _shown_by_route(app, client, place)

    assert [route for route, found in shown.items() if found] == [
        route for route in shown if "upload" not in route
    ]


def test_no_survey_page_or_api_route_shows_a_suppressed_value(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    place = _surveyed(get_engine(database_url), client)

    shown = _shown_by_route(app, client, place)

    assert len(shown) >= 3
    assert {route: found for route, found in shown.items() if found} == {}
    own_school = {"team_id": place.teams["SMALL"]}
    team_page = _get(
        client, Endpoint("GET", "/teams/{team_id}", True), place.small_member, own_school
    )
    assert not SUPPRESSED.search(team_page)


@pytest.mark.parametrize("report_format", ["csv", "json", "table"])
def test_the_command_line_report_never_prints_a_suppressed_value(
    client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch, report_format: str
) -> None:
    place = _surveyed(get_engine(database_url), client)
    monkeypatch.setenv("COLUMNS", "200")

    arguments = ["--program", str(place.program_id), "--from", "W1", "--to", "W2"]

    result = CliRunner().invoke(cli, ["survey", "report", *arguments, "--format", report_format])

    assert result.exit_code == 0, result.output
    assert "vision-and-strategy" in result.output
    assert not SUPPRESSED.search(result.output)


def test_people_outside_a_school_cannot_see_its_scores_at_all(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    place = _surveyed(get_engine(database_url), client)
    elsewhere = {
        "program_id": place.program_id,
        "school_id": place.schools["BIG"],
        "team_id": place.teams["BIG"],
    }
    answers = {}
    for endpoint in _survey_pages(app):
        if "{instrument}" in endpoint.path:
            continue
        path = PARAMETER.sub(lambda m: str(elsewhere[m.group(1)]), endpoint.path)
        client.cookies.clear()
        client.cookies.set(cookies.SESSION, place.small_member.session_token)
        headers = {} if endpoint.is_page else place.small_member.headers
        response = client.get(path, params=WAVES, headers=headers)
        answers[str(endpoint)] = (response.status_code, place.big_name in response.text)

    assert {route: a for route, a in answers.items() if a[0] not in (403, 404) or a[1]} == {}
