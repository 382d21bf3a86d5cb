"""Revising a record (such as one data collection) on the team page, in place, history kept."""

from __future__ import annotations

from factories import (
    LAUNCH,
    action_timeline,
    data_collection,
    fire,
    purpose_map,
    save,
    theory_of_action,
)
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.queries import revisions
from service.store.database import unit_of_work
from service.web.pages.cycle_forms import NOT_SAVED

LAUNCH_DAY = LAUNCH.date()


def implementing_with_two_records(db: Engine, team_id: int) -> int:
    cycle_id = new_cycle(db, team_id)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")
    save(db, cycle_id, "purpose_map", purpose_map())
    save(db, cycle_id, "action_timeline", action_timeline())
    fire(db, cycle_id, "launch_test")
    save(db, cycle_id, "data_collection", data_collection(LAUNCH_DAY))
    save(db, cycle_id, "data_collection", data_collection(LAUNCH_DAY, "observation"))
    return cycle_id


def record_revisions(db: Engine, cycle_id: int) -> list[tuple[int, int, str]]:
    """(item, revision, summary) of every data collection revision, oldest first."""
    with unit_of_work(db, write=False) as session:
        rows = revisions(session=session, instance_id=cycle_id, kind="data_collection")
        return sorted((r.item, r.revision, r.body["summary"]) for r in rows)


def test_a_member_revises_the_second_record_and_both_revisions_are_kept(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = implementing_with_two_records(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    page = client.get(f"/teams/{team.team_id}")
    first, second = page.context["cycle"].artifacts[0].records
    assert second.form.action == f"/cycles/{cycle_id}/records/data_collection/2"
    fields = {f.name: f.value for f in second.form.items}
    assert fields["source"] == "observation"

    response = client.post(
        second.form.action,
        data={
            **fields,
            "summary": "Two of five lessons used the shared period.",
            "csrf_token": form_token(client, team.team_id),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    after = client.get(response.headers["location"])
    assert after.context["flash"].message == "Revised data collection record 2."
    revised = after.context["cycle"].artifacts[0].records[1]
    assert revised.saved.revision == 2
    assert ("Summary", "Two of five lessons used the shared period.") in [
        (f.label, f.text) for f in revised.shown
    ]
    assert "Revision 2, saved" in after.text
    history = record_revisions(web_db, cycle_id)
    assert [(item, revision) for item, revision, _ in history] == [(1, 1), (2, 1), (2, 2)]
    assert history[1][2] != history[2][2]  # the first revision is kept as it was
    assert first.form.action.endswith("/records/data_collection/1")


def test_a_refused_revision_comes_back_in_its_own_record_with_nothing_saved(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = implementing_with_two_records(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.post(
        f"/cycles/{cycle_id}/records/data_collection/1",
        data={"collected_on": "not a date", "csrf_token": form_token(client, team.team_id)},
    )

    assert page.status_code == 422
    panel = page.context["cycle"].artifacts[0]
    refused, untouched = panel.records
    assert refused.open and refused.form.errors[0] == NOT_SAVED
    [date] = [f for f in refused.form.items if f.name == "collected_on"]
    assert date.error and date.value == "not a date"
    assert not untouched.open and not untouched.form.errors
    assert not panel.form.errors  # the form for a new record is not the one refused
    assert [revision for _, revision, _ in record_revisions(web_db, cycle_id)] == [1, 1]


def test_a_record_the_iteration_does_not_hold_is_not_found(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = implementing_with_two_records(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    response = client.post(
        f"/cycles/{cycle_id}/records/data_collection/3",
        data={"summary": "x", "csrf_token": form_token(client, team.team_id)},
    )

    assert (response.status_code, response.template.name) == (404, "error.html")
    assert len(record_revisions(web_db, cycle_id)) == 2


def test_a_coach_is_offered_no_revision_and_cannot_post_one(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = implementing_with_two_records(web_db, team.team_id)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")
    refused = client.post(
        f"/cycles/{cycle_id}/records/data_collection/1",
        data={"summary": "x", "csrf_token": form_token(client, team.team_id)},
    )

    assert all(record.form is None for record in page.context["cycle"].artifacts[0].records)
    assert "Revise record" not in page.text
    assert refused.status_code == 403
    assert len(record_revisions(web_db, cycle_id)) == 2
