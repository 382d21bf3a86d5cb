"""GET /api/teams/{team_id}/survey-scores: a team's own school's latest scores, as JSON."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from survey_factories import new_program, respondents_scoring, school_id

from service.catalog import get_catalog
from service.organisation import add_team, add_to_team, create_person
from service.security import issue_token
from service.store.database import get_engine, unit_of_work

VISION, INFLUENCE = "vision-and-strategy", "shared-influence"
CAPACITY = "capacity-and-resources"


def team_at(db: Engine, program_id: int, code: str) -> int:
    with unit_of_work(db) as session:
        team = add_team(session=session, school_id=school_id(db, program_id, code), name="Team")
        return team.id or 0


def member_of(db: Engine, team_id: int) -> dict[str, str]:
    """The API header of a new member of the team."""
    with unit_of_work(db) as session:
        person = create_person(
            session=session, email=f"{uuid.uuid4().hex[:12]}@example.org", name="Member"
        )
        add_to_team(session=session, team_id=team_id, person_id=person.id or 0, role="member")
        token = issue_token(
            session=session, person_id=person.id or 0, kind="api", ttl=dt.timedelta(hours=1)
        )
    return {"Authorization": f"Bearer {token}"}


def scores_url(team_id: int) -> str:
    return f"/api/teams/{team_id}/survey-scores"


def test_a_member_reads_the_schools_latest_scores_and_suggestions(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db, schools=2)
    team_id = team_at(db, program_id, "S01")
    respondents_scoring(db, program_id, "S01", {VISION: 2, INFLUENCE: 4}, n=5)
    respondents_scoring(db, program_id, "S01", {CAPACITY: 1}, n=4)
    respondents_scoring(db, program_id, "S02", {VISION: 5, INFLUENCE: 1}, n=5)

    response = client.get(scores_url(team_id), headers=member_of(db, team_id))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["team_id"], body["wave"], body["min_n"]) == (team_id, "2025-26", 5)
    assert body["school_id"] == school_id(db, program_id, "S01")
    conditions = {c["condition"]: c for c in body["conditions"]}
    assert list(conditions) == get_catalog().content.condition_slugs
    assert conditions[VISION] == {
        "condition": "vision-and-strategy",
        "n": 5,
        "score": 2.0,
        "suppressed": False,
    }
    assert conditions[CAPACITY] == {
        "condition": "capacity-and-resources",
        "n": 4,
        "score": None,
        "suppressed": True,
    }
    assert body["greatest_need"] == {
        "condition": "vision-and-strategy",
        "score": 2.0,
        "tied_with": [],
    }
    assert body["greatest_strength"]["condition"] == "shared-influence"


def test_a_school_without_survey_data_answers_with_no_wave_and_no_suggestion(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    team_id = team_at(db, program_id, "S01")

    body = client.get(scores_url(team_id), headers=member_of(db, team_id)).json()

    assert (body["wave"], body["greatest_need"], body["greatest_strength"]) == (None, None, None)
    assert {c["n"] for c in body["conditions"]} == {0}


def test_another_schools_team_is_not_found_and_a_stranger_must_sign_in(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db, schools=2)
    mine, theirs = team_at(db, program_id, "S01"), team_at(db, program_id, "S02")
    respondents_scoring(db, program_id, "S02", {VISION: 2, INFLUENCE: 4}, n=5)

    headers = member_of(db, mine)

    assert client.get(scores_url(theirs), headers=headers).status_code == 404
    assert client.get(scores_url(2**31), headers=headers).status_code == 404
    assert client.get(scores_url(theirs)).status_code == 401
