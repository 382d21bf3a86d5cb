"""Write-side operations on workflow instances: start, save artifacts, fire triggers.

Each function works inside the caller's unit of work and never commits: the
transition, its history event and the version bump land together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Update, bindparam, func, insert, inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from engine.errors import ConcurrentChange, InstanceClosed, UnknownArtifact
from engine.facts import Facts
from engine.workflow import Event, InstanceState, Outcome, StageView, Workflow
from service.catalog import Catalog, get_catalog, pin
from service.errors import CycleAlreadyOpen, InvalidRequest
from service.queries import (
    OPEN_CYCLE,
    InstanceRow,
    gather_facts,
    get_instance,
    lock_instance,
    lock_team,
)
from service.store.database import connection_of
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    StoredDefinition,
    WorkflowInstance,
    utcnow,
)

_EVENTS = HistoryEvent.__table__
# Numbered in the INSERT itself; `seq` is unique per instance, so a race fails, never doubles.
_APPEND_EVENT = (
    insert(_EVENTS)
    .values(
        seq=select(func.coalesce(func.max(_EVENTS.c.seq), 0) + 1)
        .where(_EVENTS.c.instance_id == bindparam("of_instance"))
        .scalar_subquery()
    )
    .returning(_EVENTS.c.id, _EVENTS.c.seq)
)


class EventRow(NamedTuple):
    """A history event as it was appended: the row's values, with no ORM entity to track."""

    id: int
    seq: int
    instance_id: int
    at: dt.datetime
    actor_id: int | None
    trigger: str
    from_state: str | None
    to_state: str
    iteration: int
    reason: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class Fired:
    """A fire's result: the instance as written, its event, and what its gates now see."""

    instance: InstanceRow
    event: EventRow
    workflow: Workflow
    state: InstanceState
    facts: Facts
    next_cycle_id: int | None = None

    def view(self) -> StageView:
        """Where the instance now stands; pure, so a route can ask after its commit."""
        return self.workflow.view(self.state, replace(self.facts, reason=None))


def workflow_of(
    session: Session,
    instance: WorkflowInstance | InstanceRow,
    catalog: Catalog,
    digest: str | None = None,
) -> Workflow:
    """The workflow this instance is pinned to (never the file as it is today).

    `digest` is the pinned body's, when the caller read it with the instance.
    """
    if digest is None:
        digest = session.exec(
            select(StoredDefinition.digest).where(StoredDefinition.id == instance.definition_id)
        ).one()
    return catalog.pinned_workflow(
        digest, lambda: session.get_one(StoredDefinition, instance.definition_id)
    )


def append_event(
    session: Session,
    instance_id: int,
    event: Event,
    actor_id: int | None,
    at: dt.datetime | None = None,
) -> EventRow:
    """Append the instance's next event in one INSERT (no ORM flush: every fire does this)."""
    at = at or utcnow()
    params = {
        "instance_id": instance_id,
        "of_instance": instance_id,
        "at": at,
        "actor_id": actor_id,
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "iteration": event.iteration,
        "reason": event.reason,
        "details": event.details,
    }
    row_id, seq = connection_of(session).execute(_APPEND_EVENT, params).one()
    return EventRow(
        row_id,
        seq,
        instance_id,
        at,
        actor_id,
        event.trigger,
        event.from_state,
        event.to_state,
        event.iteration,
        event.reason,
        event.details,
    )


def start_instance(
    *,
    session: Session,
    workflow_name: str,
    actor_id: int | None,
    reason: str | None,
    team_id: int | None = None,
    school_id: int | None = None,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> WorkflowInstance:
    """Start any workflow (a cycle, onboarding, program phases), pinned to today's body."""
    catalog = catalog or get_catalog()
    definition = catalog.definition(workflow_name)
    stored = pin(session, definition)
    instance = WorkflowInstance(
        definition_id=stored.id,
        kind=definition.kind,
        workflow=definition.name,
        team_id=team_id,
        school_id=school_id,
        condition=definition.condition,
        state=definition.initial,
    )
    if now is not None:
        instance.created_at = instance.entered_at = now
    session.add(instance)
    session.flush()
    assert instance.id is not None
    start = Event(
        "start", None, definition.initial, 1, reason, {"definition_version": stored.version}
    )  # type: ignore[arg-type]
    append_event(session, instance.id, start, actor_id, now)
    return instance


def start_cycle(
    *,
    session: Session,
    team_id: int,
    condition: str,
    reason: str,
    actor_id: int | None,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> WorkflowInstance:
    """Start a team's cycle on a condition in `why`; one open cycle per team at a time."""
    catalog = catalog or get_catalog()
    catalog.condition_definition(condition)
    if not reason.strip():
        raise InvalidRequest("say why the team chose this condition (the reason is blank)")
    lock_team(session=session, team_id=team_id)
    open_cycle = session.exec(
        select(WorkflowInstance).where(WorkflowInstance.team_id == team_id, OPEN_CYCLE)
    ).first()
    if open_cycle is not None:
        raise CycleAlreadyOpen(team_id, open_cycle.id or 0, open_cycle.condition)
    return start_instance(
        session=session,
        workflow_name=condition,
        actor_id=actor_id,
        reason=reason,
        team_id=team_id,
        catalog=catalog,
        now=now,
    )


@cache
def _versioned_update(columns: tuple[str, ...]) -> Update:
    """UPDATE the instance's `columns` and version, if still at the version read; built once."""
    # On the table, not the entity: the caller mirrors the row, so the ORM has nothing to
    # synchronise, and its bulk-update path would rebuild the statement on every call.
    table = WorkflowInstance.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.version == bindparam("seen"))
        .values(version=bindparam("next_version"), **{c: bindparam(f"new_{c}") for c in columns})
    )


_INSTANCES = WorkflowInstance.__table__
_INSTANCE_MAPPER = inspect(WorkflowInstance)
_CURRENT_VERSION = select(_INSTANCES.c.version).where(_INSTANCES.c.id == bindparam("row_id"))


def _refuse_stale(expected: int | None, seen: int) -> None:
    """Refuse a writer who read an earlier version than the one now locked."""
    if expected is not None and expected != seen:
        raise ConcurrentChange(expected, seen)


def _write_next_version(
    connection: Connection, instance_id: int | None, seen: int, values: dict[str, Any]
) -> None:
    """Write `values` and version `seen + 1`, or refuse if the row is no longer at `seen`."""
    params = {f"new_{c}": value for c, value in values.items()}
    result = connection.execute(
        _versioned_update(tuple(values)),
        {**params, "row_id": instance_id, "seen": seen, "next_version": seen + 1},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now_at = connection.execute(_CURRENT_VERSION, {"row_id": instance_id}).scalar_one()
        raise ConcurrentChange(seen, now_at)


def advance_version(
    session: Session, instance: InstanceRow, values: dict[str, Any], expected: int | None
) -> InstanceRow:
    """Write `values` and the next version, if the instance is still at the version we read.

    Returns the row as it now stands in the database.
    """
    _refuse_stale(expected, instance.version)
    _write_next_version(connection_of(session), instance.id, instance.version, values)
    written = {**values, "version": instance.version + 1}
    # The session may hold this instance as an entity it loaded earlier: keep that one true too.
    key = _INSTANCE_MAPPER.identity_key_from_primary_key((instance.id,))
    loaded = session.identity_map.get(key)
    if loaded is not None:
        _mirror(loaded, written)
    return instance._replace(**written)


def bump_version(
    session: Session, instance: WorkflowInstance, values: dict[str, Any], expected: int | None
) -> None:
    """`advance_version` for an ORM entity: the entity then mirrors what was written."""
    seen = instance.version
    _refuse_stale(expected, seen)
    _write_next_version(connection_of(session), instance.id, seen, values)
    _mirror(instance, {**values, "version": seen + 1})


def _mirror(entity: WorkflowInstance, written: dict[str, Any]) -> None:
    """Copy what was written onto the entity, without a reload and without marking it dirty."""
    for name, value in written.items():
        set_committed_value(entity, name, value)


def save_artifact(
    *,
    session: Session,
    instance_id: int,
    kind: str,
    data: object,
    author_id: int | None,
    item: int | None = None,
    expected_version: int | None = None,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> ArtifactRevision:
    """Save a new revision of an artifact, or of one record of a repeatable kind.

    For a repeatable kind, `item=None` adds a new record; an item number revises it.
    """
    catalog = catalog or get_catalog()
    instance, digest = lock_instance(session=session, instance_id=instance_id)
    workflow = workflow_of(session, instance, catalog, digest)
    if kind not in workflow.artifact_kinds:
        raise UnknownArtifact(kind)
    if workflow.is_final(instance.state):
        raise InstanceClosed(instance.state)
    artifact = workflow.artifacts[kind]
    body = artifact.validate_draft(data)
    scope = (
        (ArtifactRevision.instance_id == instance_id)
        & (ArtifactRevision.iteration == instance.iteration)
        & (ArtifactRevision.kind == kind)
    )
    if artifact.spec.repeatable and item is None:
        last_item = session.exec(
            select(func.coalesce(func.max(ArtifactRevision.item), 0)).where(scope)
        ).one()
        item, revision = last_item + 1, 1
    else:
        if not artifact.spec.repeatable and item not in (None, 1):
            raise InvalidRequest(f"{kind} is a single document; it has no item {item}")
        item = 1 if item is None else item
        last = session.exec(
            select(func.coalesce(func.max(ArtifactRevision.revision), 0)).where(
                scope & (ArtifactRevision.item == item)
            )
        ).one()
        if artifact.spec.repeatable and last == 0:
            raise InvalidRequest(f"{kind} has no record {item} to revise")
        revision = last + 1
    instance = advance_version(session, instance, {}, expected_version)
    row = ArtifactRevision(
        instance_id=instance_id,
        iteration=instance.iteration,
        kind=kind,
        item=item,
        revision=revision,
        body=body,
        author_id=author_id,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def fire_trigger(
    *,
    session: Session,
    instance_id: int,
    trigger: str,
    actor_id: int | None,
    reason: str | None = None,
    expected_version: int | None = None,
    override: bool = False,
    now: dt.datetime | None = None,
    catalog: Catalog | None = None,
) -> Fired:
    """Lock the instance, ask the engine, and write the new state with its history event."""
    catalog = catalog or get_catalog()
    locked, digest = lock_instance(session=session, instance_id=instance_id)
    _refuse_stale(expected_version, locked.version)  # a stale caller hears so before any gate
    workflow = workflow_of(session, locked, catalog, digest)
    now = now or utcnow()
    facts = gather_facts(
        session=session, instance=locked, workflow=workflow, reason=reason, today=now.date()
    )
    current = InstanceState(locked.state, locked.iteration, locked.launched_on)
    outcome = workflow.fire(trigger, current, facts, override=override)
    instance = advance_version(
        session,
        locked,
        {
            "state": outcome.instance.state,
            "iteration": outcome.instance.iteration,
            "launched_on": outcome.instance.launched_on,
            "entered_at": now,
        },
        expected_version,
    )
    next_cycle = _follow_up(session, instance, outcome, facts.artifacts, actor_id, catalog, now)
    event = outcome.event
    if next_cycle is not None:
        started = {"next_cycle_id": next_cycle.id, "next_condition": next_cycle.condition}
        event = replace(event, details={**event.details, **started})
    row = append_event(session, instance.id, event, actor_id, now)
    if outcome.instance.iteration != current.iteration:  # a new iteration owes everything anew
        facts = gather_facts(
            session=session, instance=instance, workflow=workflow, today=now.date()
        )
    return Fired(
        instance, row, workflow, outcome.instance, facts, next_cycle.id if next_cycle else None
    )


def _follow_up(
    session: Session,
    instance: InstanceRow,
    outcome: Outcome,
    artifacts: Any,
    actor_id: int | None,
    catalog: Catalog,
    now: dt.datetime,
) -> WorkflowInstance | None:
    """Start the cycle a decision or a first choice points to, so the team can go straight on."""
    if instance.team_id is None:
        return None
    if outcome.event.trigger == "move_on":
        decision = artifacts["decision"]
        condition, reason = decision["next_condition"], decision["rationale"]
    elif outcome.event.trigger == "choose_condition":
        choice = artifacts["condition_choice"]
        basis = catalog.content.onboarding.bases[choice["basis"]].label
        condition, reason = choice["condition"], f"{basis}: {choice['reason']}"
    else:
        return None
    return start_cycle(
        session=session,
        team_id=instance.team_id,
        condition=condition,
        reason=reason,
        actor_id=actor_id,
        catalog=catalog,
        now=now,
    )


def instance_view(
    *,
    session: Session,
    instance_id: int,
    catalog: Catalog | None = None,
    today: dt.date | None = None,
) -> tuple[WorkflowInstance, StageView]:
    """The instance with what the engine says about it now."""
    catalog = catalog or get_catalog()
    instance = get_instance(session=session, instance_id=instance_id)
    workflow = workflow_of(session, instance, catalog)
    facts = gather_facts(session=session, instance=instance, workflow=workflow, today=today)
    state = InstanceState(instance.state, instance.iteration, instance.launched_on)
    return instance, workflow.view(state, facts)
