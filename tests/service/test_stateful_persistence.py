"""Random work on a stored cycle never passes an unmet gate, and history always replays to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from contract import CYCLE_TRIGGERS
from factories import (
    action_timeline,
    data_collection,
    impact_assessment,
    new_cycle,
    purpose_map,
    theory_of_action,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from engine.errors import ArtifactInvalid, TransitionRefused, Unmet
from engine.workflow import InstanceState
from service.catalog import get_catalog
from service.instances import fire_trigger, save_artifact, workflow_of
from service.queries import gather_facts
from service.store.database import get_engine, unit_of_work
from service.store.models import WorkflowInstance
from service.versioning import replay_matches

TODAY = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
WORKFLOW = get_catalog().current_workflow("vision-and-strategy")
COMPLETE = {
    "theory_of_action": theory_of_action(),
    "purpose_map": purpose_map(),
    "action_timeline": action_timeline(),
    "impact_assessment": impact_assessment(),
}
complete_documents = st.sampled_from(
    [
        *((kind, doc) for kind, doc in COMPLETE.items()),
        ("data_collection", data_collection(TODAY.date())),
    ]
)
documents = st.one_of(
    st.sampled_from(sorted(COMPLETE)).map(lambda kind: (kind, COMPLETE[kind])),
    st.sampled_from(sorted(COMPLETE)).map(lambda kind: (kind, {next(iter(COMPLETE[kind])): ""})),
    st.integers(-3, 3).map(
        lambda days: ("data_collection", data_collection(TODAY.date() + dt.timedelta(days=days)))
    ),
    st.sampled_from(
        [
            {"choice": "revisit", "rationale": "Again."},
            {"choice": "move_on", "rationale": "Done.", "next_condition": "shared-influence"},
            {"choice": "move_on", "rationale": "Stay", "next_condition": "vision-and-strategy"},
            {"choice": "revisit"},
        ]
    ).map(lambda decision: ("decision", decision)),
)
fires = st.tuples(st.sampled_from(CYCLE_TRIGGERS), st.sampled_from([None, "", "a reason"]))
# "advance" fires whichever trigger leads forward from the current state, so runs get far.
advances = st.sampled_from([None, "a reason"]).map(lambda reason: ("advance", reason))
work = st.lists(
    st.one_of(
        documents.map(lambda d: ("save", d)),
        complete_documents.map(lambda d: ("save", d)),
        fires.map(lambda f: ("fire", f)),
        advances.map(lambda a: ("fire", a)),
    ),
    min_size=40,
    max_size=80,
)


def _unmet_now(db: Engine, cycle_id: int, trigger: str, reason: str | None) -> list[Unmet] | None:
    """What the engine says of `trigger` right now; None when the state does not offer it."""
    with unit_of_work(db, write=False) as session:
        row = session.get_one(WorkflowInstance, cycle_id)
        workflow = workflow_of(session, row, get_catalog())
        facts = gather_facts(
            session=session, instance=row, workflow=workflow, reason=reason, today=TODAY.date()
        )
        try:
            return workflow.unmet(
                trigger, InstanceState(row.state, row.iteration, row.launched_on), facts
            )
        except TransitionRefused:
            return None


def _apply(db: Engine, cycle_id: int, step: tuple[str, Any]) -> bool:
    """Do one piece of work; True when it was a fire that moved the cycle."""
    action, payload = step
    if action == "save":
        kind, data = payload
        try:
            with unit_of_work(db) as session:
                save_artifact(
                    session=session, instance_id=cycle_id, kind=kind, data=data, author_id=None
                )
        except (ArtifactInvalid, TransitionRefused):
            pass
        return False
    trigger, reason = payload
    if trigger == "advance":
        with unit_of_work(db, write=False) as session:
            state = session.get_one(WorkflowInstance, cycle_id).state
        offered = [t.trigger for t in WORKFLOW.definition.transitions if t.source == state]
        trigger = offered[0] if offered else "start_planning"
    unmet = _unmet_now(db, cycle_id, trigger, reason)
    try:
        with unit_of_work(db) as session:
            fire_trigger(
                session=session,
                instance_id=cycle_id,
                trigger=trigger,
                actor_id=None,
                reason=reason,
                now=TODAY,
            )
    except TransitionRefused:
        assert unmet != [], f"{trigger} was refused although every gate held"
        return False
    assert unmet == [], f"{trigger} fired although {unmet} was unmet"
    return True


def test_random_work_on_a_stored_cycle_respects_every_gate(sqlite_url: str) -> None:
    db = get_engine(sqlite_url)
    moves: list[int] = []

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=work)
    def run(steps: list[tuple[str, Any]]) -> None:
        cycle_id = new_cycle(db, "vision-and-strategy")
        moved = 0
        for step in steps:
            moved += _apply(db, cycle_id, step)
            with unit_of_work(db, write=False) as session:
                assert replay_matches(session=session, instance_id=cycle_id)
        moves.append(moved)

    run()
    print("MOVES", sorted(moves))
    assert sum(moves) > 0, "no random sequence moved a cycle: the test would prove nothing"
