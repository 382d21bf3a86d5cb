"""Cycles are pinned to the definition body they started on; moving them is explicit."""

from __future__ import annotations

import pytest
from factories import fire, new_cycle, save, theory_of_action
from sqlalchemy import Engine

from engine.definitions import Definition, GateRef
from engine.errors import DefinitionError, GatesUnmet, MigrationRefused
from service.catalog import Catalog, get_catalog
from service.queries import history
from service.store.database import unit_of_work
from service.versioning import migrate_instances, replay_matches

CONDITION = "enabling-work-structures"


def _edited_catalog(version: int, extra_gate: GateRef) -> Catalog:
    """The live catalog, with the condition's start_planning gated once more."""
    live = get_catalog()
    original = live.definition(CONDITION)
    transitions = [
        t.model_copy(update={"gates": [*t.gates, extra_gate]})
        if t.trigger == "start_planning"
        else t
        for t in original.transitions
    ]
    edited = Definition.model_validate(
        {
            **original.body(),
            "version": version,
            "transitions": [t.model_dump() for t in transitions],
        }
    )
    return Catalog(live.content, {**live.definitions, CONDITION: edited})


def test_editing_a_definition_leaves_cycles_under_way_on_their_own_body(db: Engine) -> None:
    pinned = new_cycle(db, CONDITION)
    stricter = _edited_catalog(version=90, extra_gate=GateRef(gate="complete", arg="purpose_map"))
    newer = new_cycle(db, CONDITION, catalog=stricter)
    for cycle_id in (pinned, newer):
        save(db, cycle_id, "theory_of_action", theory_of_action(), catalog=stricter)
    with pytest.raises(GatesUnmet, match="purpose map"):
        fire(db, newer, "start_planning", catalog=stricter)
    assert fire(db, pinned, "start_planning", catalog=stricter).instance.state == "how"


def test_a_changed_body_under_an_unchanged_version_is_refused(db: Engine) -> None:
    new_cycle(db, CONDITION)
    same_version = _edited_catalog(version=1, extra_gate=GateRef(gate="reason_given"))
    with pytest.raises(DefinitionError, match="bump `version`"):
        new_cycle(db, CONDITION, catalog=same_version)


def test_migrating_needs_a_mapping_for_every_state_in_use(db: Engine) -> None:
    cycle_id = new_cycle(db, CONDITION)
    target = _edited_catalog(version=91, extra_gate=GateRef(gate="reason_given"))
    with pytest.raises(MigrationRefused, match="no mapping for state"), unit_of_work(db) as session:
        migrate_instances(
            session=session,
            workflow_name=CONDITION,
            state_map={"how": "how"},
            actor_id=None,
            catalog=target,
        )
    with pytest.raises(MigrationRefused, match="has no state"), unit_of_work(db) as session:
        migrate_instances(
            session=session,
            workflow_name=CONDITION,
            state_map={"why": "nowhere"},
            actor_id=None,
            catalog=target,
        )
    every_state = {s: s for s in ("why", "how", "implement", "review", "decide")}
    with unit_of_work(db) as session:
        moved = migrate_instances(
            session=session,
            workflow_name=CONDITION,
            state_map=every_state,
            actor_id=None,
            catalog=target,
        )
        events = history(session=session, instance_id=cycle_id)
        assert replay_matches(session=session, instance_id=cycle_id, catalog=target)
    assert cycle_id in {m.instance_id for m in moved}
    assert (events[-1].trigger, events[-1].reason) == ("migrate", "migrated to v91")
    save(db, cycle_id, "theory_of_action", theory_of_action(), catalog=target)
    with pytest.raises(GatesUnmet, match="reason"):
        fire(db, cycle_id, "start_planning", catalog=target)
