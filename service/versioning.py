"""Moving in-flight instances to a new definition version, and checking history against state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from engine.errors import MigrationRefused
from engine.workflow import MIGRATE, Event
from service.catalog import Catalog, get_catalog, pin
from service.instances import append_event, bump_version, workflow_of
from service.queries import history
from service.store.models import StoredDefinition, WorkflowInstance


@dataclass(frozen=True)
class Migrated:
    instance_id: int
    from_state: str
    to_state: str


def migrate_instances(
    *,
    session: Session,
    workflow_name: str,
    state_map: dict[str, str],
    actor_id: int | None,
    catalog: Catalog | None = None,
) -> list[Migrated]:
    """Re-pin every open instance of a workflow on an older version to the current one.

    `state_map` maps each old state to a state of the new version. Nothing moves
    if any instance sits in a state without a mapping, or a mapping names a state
    the new version lacks.
    """
    catalog = catalog or get_catalog()
    target = catalog.definition(workflow_name)
    new_states = {s.name for s in target.states}
    wrong = {old: new for old, new in state_map.items() if new not in new_states}
    if wrong:
        raise MigrationRefused(
            f"{workflow_name} v{target.version} has no state(s) {sorted(wrong.values())}"
        )
    stored = pin(session, target)
    query = (
        select(WorkflowInstance)
        .join(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .where(
            WorkflowInstance.workflow == workflow_name,
            StoredDefinition.version < target.version,
        )
        .order_by(col(WorkflowInstance.id))
        .with_for_update()
    )
    instances = [
        i
        for i in session.exec(query).all()
        if not workflow_of(session, i, catalog).is_final(i.state)
    ]
    unmapped = sorted({i.state for i in instances if i.state not in state_map})
    if unmapped:
        raise MigrationRefused(
            f"cannot migrate {workflow_name} to v{target.version}: "
            f"no mapping for state(s) {unmapped} held by cycles under way"
        )
    moved = []
    for instance in instances:
        assert instance.id is not None
        old_state, old_definition = instance.state, instance.definition_id
        new_state = state_map[old_state]
        bump_version(session, instance, {"definition_id": stored.id, "state": new_state}, None)
        details = {"from_definition_id": old_definition, "to_version": target.version}
        append_event(
            session,
            instance.id,
            Event(
                MIGRATE,
                old_state,
                new_state,
                instance.iteration,
                f"migrated to v{target.version}",
                details,
            ),
            actor_id,
        )
        moved.append(Migrated(instance.id, old_state, new_state))
    return moved


def replay_matches(*, session: Session, instance_id: int, catalog: Catalog | None = None) -> bool:
    """Whether replaying the instance's history gives exactly its stored state and iteration."""
    catalog = catalog or get_catalog()
    instance = session.get(WorkflowInstance, instance_id)
    assert instance is not None
    events = history(session=session, instance_id=instance_id)
    replayed = workflow_of(session, instance, catalog).replay(
        (e.trigger, e.from_state, e.to_state) for e in events
    )
    return (replayed.state, replayed.iteration) == (instance.state, instance.iteration)
