"""Hostile text in every field a person types is stored exactly, shown escaped, and runs nowhere.

Payloads go through the API into every text field of every artifact kind, comments, check-in
notes, and the names of schools and teams; each is read back equal through the API and found
on the team's page only in its escaped form. SQL metacharacters leave every table's row count
as the writes alone explain. (tests/browser/test_browser_xss.py asks Chromium itself.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from factories import (
    LAUNCH,
    action_timeline,
    data_collection,
    fire,
    impact_assessment,
    purpose_map,
    save,
    theory_of_action,
)
from fastapi.testclient import TestClient
from markupsafe import escape
from payloads import PAYLOADS, SHORT_PAYLOADS, hostile_document, without_blanks
from security_world import Person, new_person
from sqlalchemy import Engine, MetaData, func, select
from survey_files import responses_csv, systems_instrument, upload

from service.catalog import get_catalog
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_program,
)
from service.store.database import get_engine, unit_of_work
from service.store.models import SurveyResponse
from service.web.pages import cookies

CATALOG = get_catalog()
CYCLE_KINDS = CATALOG.current_workflow("vision-and-strategy").artifact_kinds
ONBOARDING_KINDS = CATALOG.current_workflow("onboarding").artifact_kinds
KINDS = sorted({*CYCLE_KINDS, *ONBOARDING_KINDS})
STAGES = (
    (("theory_of_action",), "start_planning"),
    (("purpose_map", "action_timeline"), "launch_test"),
    (("data_collection",), "start_review"),
    (("impact_assessment",), "conclude_review"),
    (("decision",), None),
)
"""A cycle's artifacts by the stage whose page shows them, and the trigger that leaves it."""

# What markup looks like once it has escaped its text context; none may reach a page raw.
RAW_MARKUP = ("<script>alert(1)", "<img src=x", '"><img')


@dataclass(frozen=True)
class Workplace:
    program_id: int
    school_id: int
    team_id: int
    cycle_id: int
    member: Person


def _workplace(client: TestClient, db: Engine, workflow: str) -> Workplace:
    """A program, school and team, a member of it, and `workflow` started through the API."""
    member = new_person(db, "team member")
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Injection program")
        school = add_school(
            session=session, program_id=program.id or 0, name="Injection school", code="S1"
        )
        team_id = add_team(session=session, school_id=school.id or 0, name="Team").id or 0
        add_to_team(session=session, team_id=team_id, person_id=member.id, role="member")
    if workflow == "onboarding":
        started = client.post(f"/api/teams/{team_id}/onboarding", headers=member.headers)
    else:
        body = {"condition": workflow, "reason": "Greatest need"}
        started = client.post(f"/api/teams/{team_id}/cycles", json=body, headers=member.headers)
    assert started.status_code == 201, started.text
    return Workplace(program.id or 0, school.id or 0, team_id, started.json()["cycle_id"], member)


def _row_counts(db: Engine) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(db)
    with db.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in tables.tables.items()
        }


def _page(client: TestClient, member: Person, path: str) -> str:
    client.cookies.set(cookies.SESSION, member.session_token)
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def _assert_shown_as_text(page: str, text: str) -> None:
    assert str(escape(text)) in page
    assert not [markup for markup in RAW_MARKUP if markup in page]


def _save_hostile(client: TestClient, place: Workplace, kind: str, text: str) -> dict[str, Any]:
    """Save `text` in every text field of `kind` through the API; the stored body, as read back."""
    spec = CATALOG.content.artifacts[kind]
    document = hostile_document(spec, text)
    assert document, f"{kind} has no text field"
    url = f"/api/cycles/{place.cycle_id}/{'records' if spec.repeatable else 'artifacts'}/{kind}"
    send = client.post if spec.repeatable else client.put
    saved = send(url, json=document, headers=place.member.headers)
    assert saved.status_code in (200, 201), saved.text
    read = client.get(url, headers=place.member.headers).json()
    assert without_blanks(read[-1]["body"] if spec.repeatable else read["current"]["body"]) == (
        document
    )
    return document


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_field_of_every_artifact_stores_hostile_text_verbatim(
    client: TestClient, database_url: str, kind: str
) -> None:
    db = get_engine(database_url)
    place = _workplace(
        client, db, "onboarding" if kind in ONBOARDING_KINDS else "vision-and-strategy"
    )

    for text in PAYLOADS.values():
        _save_hostile(client, place, kind, text)


def test_every_stage_of_a_cycle_shows_hostile_text_escaped(
    client: TestClient, database_url: str
) -> None:
    # The team page shows the artifacts of the cycle's current stage, so the cycle walks on.
    db = get_engine(database_url)
    place = _workplace(client, db, "vision-and-strategy")
    complete = {
        "theory_of_action": [theory_of_action()],
        "purpose_map": [purpose_map()],
        "action_timeline": [action_timeline()],
        "data_collection": [data_collection(LAUNCH.date(), s) for s in ("survey", "observation")],
        "impact_assessment": [impact_assessment()],
    }
    for stage, leave_by in STAGES:
        for kind in stage:
            for text in PAYLOADS.values():
                _save_hostile(client, place, kind, text)
                _assert_shown_as_text(_page(client, place.member, f"/teams/{place.team_id}"), text)
            for body in complete.get(kind, []):
                save(db, place.cycle_id, kind, body)
        if leave_by:
            fire(db, place.cycle_id, leave_by)


def test_comments_and_check_in_notes_keep_hostile_text_verbatim(
    client: TestClient, database_url: str
) -> None:
    db = get_engine(database_url)
    place = _workplace(client, db, "vision-and-strategy")
    coach = new_person(db, "coach")
    with unit_of_work(db) as session:
        add_to_team(session=session, team_id=place.team_id, person_id=coach.id, role="coach")
    draft = {"goal": "A plain goal."}
    artifact = f"/api/cycles/{place.cycle_id}/artifacts/theory_of_action"
    assert client.put(artifact, json=draft, headers=place.member.headers).status_code == 200

    for name, text in PAYLOADS.items():
        short = name in SHORT_PAYLOADS  # an attendee's name is capped at 200 characters
        commented = client.post(
            f"{artifact}/revisions/1/comments", json={"body": text}, headers=coach.headers
        )
        checked_in = client.post(
            f"/api/teams/{place.team_id}/checkins",
            json={
                "date": "2026-01-05",
                "mode": "virtual",
                "notes": text,
                "attendees": [text][:short],
            },
            headers=coach.headers,
        )
        assert (commented.status_code, checked_in.status_code) == (201, 201), name

    thread = client.get(f"{artifact}/comments", headers=coach.headers).json()
    checkins = client.get(f"/api/teams/{place.team_id}/checkins", headers=coach.headers).json()
    assert [c["body"] for c in thread] == list(PAYLOADS.values())
    assert sorted(c["notes"] for c in checkins) == sorted(PAYLOADS.values())
    assert sorted(a for c in checkins for a in c["attendees"]) == sorted(SHORT_PAYLOADS.values())
    page = _page(client, place.member, f"/teams/{place.team_id}")
    for text in PAYLOADS.values():
        _assert_shown_as_text(page, text)


@pytest.mark.parametrize("name", SHORT_PAYLOADS)
def test_school_and_team_names_keep_hostile_text_verbatim_and_inert(
    client: TestClient, database_url: str, name: str
) -> None:
    db = get_engine(database_url)
    admin = new_person(db, "site admin", site_admin=True)
    text = SHORT_PAYLOADS[name]
    program = client.post("/api/programs", json={"name": text}, headers=admin.headers).json()
    school = client.post(
        f"/api/programs/{program['id']}/schools",
        json={"name": text, "code": text},
        headers=admin.headers,
    ).json()
    team = client.post(
        f"/api/schools/{school['id']}/teams", json={"name": text}, headers=admin.headers
    ).json()

    assert (program["name"], school["name"], school["code"], team["name"]) == (text,) * 4
    read = client.get(f"/api/schools/{school['id']}", headers=admin.headers).json()
    assert (read["name"], read["code"]) == (text, text)
    for path in (f"/teams/{team['id']}", f"/programs/{program['id']}/schools", "/programs"):
        _assert_shown_as_text(_page(client, admin, path), text)


def test_sql_metacharacters_change_no_table_but_the_ones_written(
    client: TestClient, database_url: str
) -> None:
    db = get_engine(database_url)
    place = _workplace(client, db, "vision-and-strategy")
    before = _row_counts(db)
    sql = [PAYLOADS["sql"], PAYLOADS["sql-comment"]]

    for text in sql:
        body = {"goal": text, "barrier": text}
        url = f"/api/cycles/{place.cycle_id}/artifacts/theory_of_action"
        assert client.put(url, json=body, headers=place.member.headers).status_code == 200
        searched = client.get(f"/api/workflows/{text}", headers=place.member.headers)
        assert searched.status_code in (404, 422)

    after = _row_counts(db)
    assert {t: n - before[t] for t, n in after.items() if n != before[t]} == {"artifactrevision": 2}


def test_a_nul_character_is_kept_or_refused_but_never_crashes_the_server(
    client: TestClient, database_url: str
) -> None:
    # SQLite keeps a NUL in text; PostgreSQL's text cannot hold one, and says so with a 422.
    db = get_engine(database_url)
    admin = new_person(db, "site admin", site_admin=True)
    text = "before\x00after"

    program = client.post("/api/programs", json={"name": text}, headers=admin.headers)

    assert program.status_code in (201, 422), program.text
    if program.status_code == 201:
        assert program.json()["name"] == text
    else:
        assert "NUL" in program.json()["detail"]


@pytest.mark.parametrize("name", SHORT_PAYLOADS)
def test_survey_respondent_ids_and_wave_labels_keep_hostile_text_verbatim_and_inert(
    client: TestClient, database_url: str, name: str
) -> None:
    db = get_engine(database_url)
    place = _workplace(client, db, "vision-and-strategy")
    admin = new_person(db, "program admin")
    with unit_of_work(db) as session:
        add_program_admin(session=session, program_id=place.program_id, person_id=admin.id)
    text = SHORT_PAYLOADS[name]
    respondents = [("S1", "2025-10-01", f"{text}{n}", 3) for n in range(5)]
    data = responses_csv(systems_instrument(db), respondents)

    imported = upload(client, place.program_id, data, admin.headers, wave=text)
    later = upload(client, place.program_id, data, admin.headers, wave="later")

    assert (imported.status_code, later.status_code) == (200, 200), imported.text
    assert imported.json()["waves"] == {text: 5}
    with unit_of_work(db, write=False) as session:
        stored = session.exec(
            select(SurveyResponse.respondent_id, SurveyResponse.wave).where(
                SurveyResponse.program_id == place.program_id
            )
        ).all()
    assert sorted(r for r in stored if r[1] == text) == [(f"{text}{n}", text) for n in range(5)]
    waves = {"from": text, "to": "later"}
    outcomes = client.get(
        f"/api/programs/{place.program_id}/outcomes", params=waves, headers=admin.headers
    )
    assert outcomes.json()["from_wave"] == text
    client.cookies.set(cookies.SESSION, admin.session_token)
    page = client.get(f"/programs/{place.program_id}/outcomes", params=waves).text
    _assert_shown_as_text(page, text)
