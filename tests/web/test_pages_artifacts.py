"""Writing artifacts on the team page: generated forms, saves, and refusals shown in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from factories import action_timeline, fire, purpose_map, save, theory_of_action
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.queries import current_revisions
from service.store.database import unit_of_work
from service.web.pages.artifact_forms import BLANK_ROWS
from service.web.pages.cycle_forms import NOT_SAVED


def _written(value: Any) -> Any:
    """A stored body without the fields left blank (stored as null)."""
    if isinstance(value, dict):
        return {k: _written(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_written(v) for v in value]
    return value


def _current(db: Engine, cycle_id: int, kind: str) -> list[dict[str, Any]]:
    with unit_of_work(db, write=False) as session:
        rows = current_revisions(session=session, instance_id=cycle_id, iteration=1, kind=kind)
        return [_written(row.body) for row in rows]


def _member_with_cycle(client: TestClient, db: Engine) -> tuple[int, int, str]:
    team = new_team(db)
    cycle_id = new_cycle(db, team.team_id)
    signed_in(client, new_person(db, name="Ana Reyes", member_of=(team.team_id,)))
    return team.team_id, cycle_id, form_token(client, team.team_id)


def _in_how(db: Engine, cycle_id: int) -> None:
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")


def test_saving_an_artifact_redirects_to_the_page_which_shows_the_new_revision(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    written = theory_of_action()

    response = client.post(
        f"/cycles/{cycle_id}/artifacts/theory_of_action",
        data={**written, "csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{team_id}#theory_of_action"
    page = client.get(response.headers["location"])
    assert page.context["flash"].kind == "done"
    [panel] = page.context["cycle"].artifacts
    assert (panel.status, panel.saved.revision, panel.saved.author) == ("complete", 1, "Ana Reyes")
    assert {f.name: f.value for f in panel.form.items} == written
    assert page.context["cycle"].triggers[0].enabled
    assert _current(web_db, cycle_id, "theory_of_action") == [written]
    assert client.get(f"/teams/{team_id}").context["flash"] is None  # shown once


def test_a_half_written_draft_is_saved_and_its_gaps_are_listed(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)

    client.post(
        f"/cycles/{cycle_id}/artifacts/theory_of_action",
        data={"goal": "Staff plan together.", "statement": "We will plan.", "csrf_token": token},
    )

    [panel] = client.get(f"/teams/{team_id}").context["cycle"].artifacts
    assert panel.status == "incomplete"
    assert "Problem of practice is blank" in panel.gaps
    assert 'Theory of action: Write it as a single "If ..., then ..." sentence.' in panel.gaps
    assert _current(web_db, cycle_id, "theory_of_action") == [
        {"goal": "Staff plan together.", "statement": "We will plan."}
    ]


def test_an_invalid_artifact_comes_back_with_the_error_beside_the_field_and_the_input_kept(
    client: TestClient, web_db: Engine
) -> None:
    _, cycle_id, token = _member_with_cycle(client, web_db)
    _in_how(web_db, cycle_id)
    row = action_timeline()["items"][0]
    form = {f"items.0.{name}": value for name, value in row.items()}

    response = client.post(
        f"/cycles/{cycle_id}/artifacts/action_timeline",
        data={**form, "items.0.due": "next Friday", "csrf_token": token},
    )

    assert response.status_code == 422
    assert response.template.name == "team.html"
    panel = next(p for p in response.context["cycle"].artifacts if p.kind == "action_timeline")
    [actions] = panel.form.items
    first_row = {field.name: field for field in actions.rows[0]}
    assert first_row["items.0.due"].value == "next Friday"
    assert first_row["items.0.due"].error == "Enter a date as YYYY-MM-DD."
    assert first_row["items.0.action"].value == row["action"]
    assert first_row["items.0.action"].error is None
    assert panel.open
    assert panel.form.errors == (NOT_SAVED,)
    assert 'aria-invalid="true"' in response.text
    assert _current(web_db, cycle_id, "action_timeline") == []


def test_list_rows_left_blank_are_ignored_and_text_lists_take_a_line_per_item(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    _in_how(web_db, cycle_id)

    client.post(
        f"/cycles/{cycle_id}/artifacts/purpose_map",
        data={
            "csrf_token": token,
            "vision": "Shared planning is normal.",
            "people.0.name": "Grade 7 team",
            "people.0.part": "Runs the test.",
            "people.1.name": "  ",
            "people.2.name": "Principal",
            "first_steps": "Agree the period.\n\n  Book the room.  \n",
        },
    )

    [saved] = _current(web_db, cycle_id, "purpose_map")
    assert saved["people"] == [
        {"name": "Grade 7 team", "part": "Runs the test."},
        {"name": "Principal"},
    ]
    assert saved["first_steps"] == ["Agree the period.", "Book the room."]
    page = client.get(f"/teams/{team_id}")
    panel = next(p for p in page.context["cycle"].artifacts if p.kind == "purpose_map")
    people = next(item for item in panel.form.items if item.name == "people")
    assert len(people.rows) == 2 + BLANK_ROWS


def test_a_form_from_before_someone_elses_change_comes_back_with_a_message(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    stale_version = client.get(f"/teams/{team_id}").context["cycle"].version
    save(web_db, cycle_id, "theory_of_action", {"goal": "A colleague's goal."})

    response = client.post(
        f"/cycles/{cycle_id}/artifacts/theory_of_action",
        data={"goal": "My goal.", "expected_version": stale_version, "csrf_token": token},
    )

    assert response.status_code == 409
    [panel] = response.context["cycle"].artifacts
    assert panel.form.errors and "changed this cycle" in panel.form.errors[0]
    assert panel.form.items[0].value == "My goal."
    assert _current(web_db, cycle_id, "theory_of_action") == [{"goal": "A colleague's goal."}]


def test_a_data_collection_record_is_added_and_listed(client: TestClient, web_db: Engine) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    _in_how(web_db, cycle_id)
    save(web_db, cycle_id, "purpose_map", purpose_map())
    save(web_db, cycle_id, "action_timeline", action_timeline())
    fire(web_db, cycle_id, "launch_test", now=dt.datetime.now(dt.UTC))
    record = {
        "collected_on": dt.date.today().isoformat(),
        "source": "survey",
        "participants": "14 teachers",
        "summary": "Most found the shared period useful.",
    }

    response = client.post(
        f"/cycles/{cycle_id}/records/data_collection",
        data={**record, "csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(f"/teams/{team_id}")
    [panel] = page.context["cycle"].artifacts
    assert panel.repeatable
    [listed] = panel.records
    assert listed.item == 1
    assert [(f.label, f.text) for f in listed.shown][:2] == [
        ("Collected on", record["collected_on"]),
        ("Source", "Survey"),
    ]
    assert all(field.value == "" for field in panel.form.items)  # the form is for the next one
    assert page.context["cycle"].triggers[0].enabled  # start_review: data since the launch


def test_an_artifact_saved_under_the_wrong_route_is_not_found(
    client: TestClient, web_db: Engine
) -> None:
    _, cycle_id, token = _member_with_cycle(client, web_db)

    as_record = client.post(
        f"/cycles/{cycle_id}/records/theory_of_action", data={"csrf_token": token}
    )
    unknown = client.post(f"/cycles/{cycle_id}/artifacts/no_such_kind", data={"csrf_token": token})

    assert as_record.status_code == 404
    assert unknown.status_code == 404
