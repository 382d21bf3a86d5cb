"""A cycle's life in the database: gates, revisions, iterations and the history they leave."""

from __future__ import annotations

import pytest
from factories import (
    LAUNCH,
    action_timeline,
    data_collection,
    fire,
    new_cycle,
    new_team,
    purpose_map,
    save,
    theory_of_action,
    walk_to_decide,
)
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from engine.errors import ArtifactInvalid, GatesUnmet, InstanceClosed, UnknownArtifact
from service.errors import CycleAlreadyOpen
from service.instances import instance_view, start_cycle
from service.queries import current_revisions, history, revisions
from service.store.database import unit_of_work
from service.store.models import WorkflowInstance
from service.versioning import replay_matches


def _cycle(db: Engine, cycle_id: int) -> WorkflowInstance:
    with unit_of_work(db, write=False) as session:
        found = session.get(WorkflowInstance, cycle_id)
        assert found is not None
        return found


def test_a_new_cycle_starts_in_why_with_its_reason_in_the_history(db: Engine) -> None:
    cycle_id = new_cycle(db)
    with unit_of_work(db, write=False) as session:
        events = history(session=session, instance_id=cycle_id)
    assert [(e.trigger, e.from_state, e.to_state, e.reason) for e in events] == [
        ("start", None, "why", "Greatest need")
    ]
    assert _cycle(db, cycle_id).state == "why"


def test_a_team_works_one_condition_at_a_time(db: Engine) -> None:
    team_id = new_team(db)
    with unit_of_work(db) as session:
        start_cycle(
            session=session,
            team_id=team_id,
            condition="shared-influence",
            reason="r",
            actor_id=None,
        )
    with pytest.raises(CycleAlreadyOpen), unit_of_work(db) as session:
        start_cycle(
            session=session,
            team_id=team_id,
            condition="vision-and-strategy",
            reason="r",
            actor_id=None,
        )


def test_planning_is_refused_and_nothing_is_written_until_the_theory_of_action_is_complete(
    db: Engine,
) -> None:
    cycle_id = new_cycle(db)
    incomplete = {**theory_of_action(), "statement": "We will plan together."}
    save(db, cycle_id, "theory_of_action", incomplete)
    with pytest.raises(GatesUnmet) as refused:
        fire(db, cycle_id, "start_planning")
    assert "Theory of action: Write it as" in refused.value.unmet[0].reason
    assert _cycle(db, cycle_id).state == "why"
    save(db, cycle_id, "theory_of_action", theory_of_action())
    assert fire(db, cycle_id, "start_planning").instance.state == "how"


def test_every_save_is_a_new_revision_and_nothing_is_overwritten(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", {"goal": "first"})
    save(db, cycle_id, "theory_of_action", {"goal": "second"})
    with unit_of_work(db, write=False) as session:
        saved = revisions(session=session, instance_id=cycle_id, kind="theory_of_action")
        current = current_revisions(session=session, instance_id=cycle_id, iteration=1)
    assert [(r.revision, r.body["goal"]) for r in saved] == [(1, "first"), (2, "second")]
    assert [r.body["goal"] for r in current] == ["second"]


def test_an_invalid_draft_is_refused_with_its_field_paths_and_leaves_no_revision(
    db: Engine,
) -> None:
    cycle_id = new_cycle(db)
    with pytest.raises(ArtifactInvalid) as refused:
        save(
            db, cycle_id, "action_timeline", {"items": [{"due": "next week", "status": "someday"}]}
        )
    assert {e.path for e in refused.value.errors} == {"items.0.due", "items.0.status"}
    with unit_of_work(db, write=False) as session:
        assert revisions(session=session, instance_id=cycle_id, kind="action_timeline") == []


def test_a_cycle_holds_only_its_own_artifact_kinds(db: Engine) -> None:
    with pytest.raises(UnknownArtifact):
        save(db, new_cycle(db), "self_assessment", {"ratings": []})


def test_step_back_needs_a_reason_and_keeps_every_artifact(db: Engine) -> None:
    cycle_id = new_cycle(db)
    walk_to_decide(db, cycle_id)
    with pytest.raises(GatesUnmet):
        fire(db, cycle_id, "step_back")
    fire(db, cycle_id, "step_back", reason="The data needs another look.")
    with unit_of_work(db, write=False) as session:
        kinds = {
            r.kind for r in current_revisions(session=session, instance_id=cycle_id, iteration=1)
        }
        _, view = instance_view(session=session, instance_id=cycle_id)
    assert _cycle(db, cycle_id).state == "review"
    assert kinds == {
        "theory_of_action",
        "purpose_map",
        "action_timeline",
        "data_collection",
        "impact_assessment",
    }
    assert [a.status for a in view.required] == ["complete"]


def test_revisit_starts_iteration_two_and_leaves_iteration_one_intact(db: Engine) -> None:
    cycle_id = new_cycle(db)
    walk_to_decide(db, cycle_id)
    save(
        db, cycle_id, "decision", {"choice": "revisit", "rationale": "Only half the staff joined."}
    )
    moved = fire(db, cycle_id, "revisit")
    assert (moved.instance.state, moved.instance.iteration, moved.instance.launched_on) == (
        "why",
        2,
        None,
    )
    with unit_of_work(db, write=False) as session:
        first = current_revisions(session=session, instance_id=cycle_id, iteration=1)
        second = current_revisions(session=session, instance_id=cycle_id, iteration=2)
        _, view = instance_view(session=session, instance_id=cycle_id)
    assert len(first) == 7 and second == []
    assert view.required[0].status == "missing"


def test_move_on_records_the_next_condition_and_starts_that_cycle(db: Engine) -> None:
    cycle_id = new_cycle(db)
    walk_to_decide(db, cycle_id)
    save(
        db,
        cycle_id,
        "decision",
        {"choice": "move_on", "rationale": "Routine now.", "next_condition": "vision-and-strategy"},
    )
    with pytest.raises(GatesUnmet, match="different"):
        fire(db, cycle_id, "move_on")
    save(
        db,
        cycle_id,
        "decision",
        {"choice": "move_on", "rationale": "Routine now.", "next_condition": "shared-influence"},
    )
    moved = fire(db, cycle_id, "move_on")
    assert moved.instance.state == "closed"
    assert moved.event.details == {
        "next_cycle_id": moved.next_cycle_id,
        "next_condition": "shared-influence",
    }
    following = _cycle(db, moved.next_cycle_id)
    assert (following.condition, following.state, following.team_id) == (
        "shared-influence",
        "why",
        _cycle(db, cycle_id).team_id,
    )
    with pytest.raises(InstanceClosed):
        save(db, cycle_id, "decision", {"choice": "revisit"})


def test_review_is_refused_until_data_is_collected_on_or_after_the_launch(db: Engine) -> None:
    other = new_cycle(db)
    save(db, other, "theory_of_action", theory_of_action())
    fire(db, other, "start_planning")
    save(db, other, "purpose_map", purpose_map())
    save(db, other, "action_timeline", action_timeline())
    fire(db, other, "launch_test")
    save(db, other, "data_collection", data_collection(LAUNCH.date().replace(day=1)))
    with pytest.raises(GatesUnmet, match="on or after the launch"):
        fire(db, other, "start_review")
    save(db, other, "data_collection", data_collection(LAUNCH.date()))
    assert fire(db, other, "start_review").instance.state == "review"


def test_replaying_the_history_gives_the_stored_state(db: Engine) -> None:
    cycle_id = new_cycle(db)
    walk_to_decide(db, cycle_id)
    fire(db, cycle_id, "step_back", reason="Recheck")
    with unit_of_work(db, write=False) as session:
        assert replay_matches(session=session, instance_id=cycle_id)


@pytest.mark.parametrize(
    "statement", ["UPDATE historyevent SET reason = 'rewritten'", "DELETE FROM historyevent"]
)
def test_the_database_refuses_to_rewrite_history(db: Engine, statement: str) -> None:
    cycle_id = new_cycle(db)
    with pytest.raises(DBAPIError, match="append-only"), unit_of_work(db) as session:
        session.execute(text(f"{statement} WHERE instance_id = :id"), {"id": cycle_id})
    with unit_of_work(db, write=False) as session:
        assert len(history(session=session, instance_id=cycle_id)) == 1
