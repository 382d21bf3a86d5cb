"""Read-side queries over instances, artifacts and history: small keyword-only functions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, bindparam, func
from sqlmodel import Session, col, select

from engine.facts import CycleProgress, Facts
from engine.workflow import Workflow
from service.errors import NotFound
from service.store.database import connection_of
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    Program,
    School,
    SignOff,
    StoredDefinition,
    Team,
    WorkflowInstance,
    utcnow,
)

OPEN_CYCLE = (WorkflowInstance.kind == "cycle") & (WorkflowInstance.state != "closed")


class InstanceRow(NamedTuple):
    """An instance's columns as a writer locked them: a plain row, with no ORM entity to track.

    It reads like a `WorkflowInstance` (but for `created_at`, which no writer needs); a write
    returns a new one (`_replace`) with what it wrote.
    """

    id: int
    definition_id: int
    kind: str
    workflow: str
    team_id: int | None
    school_id: int | None
    condition: str | None
    state: str
    iteration: int
    launched_on: dt.date | None
    version: int
    entered_at: dt.datetime


# The statements every fire runs, built once: SQLAlchemy then memoises each one's cache key,
# which it would otherwise work out afresh, along with the statement, on every request.
# They name the tables, not the entities, and run on the session's connection, so no ORM
# entity is loaded, tracked or flushed on the way.
_INSTANCES, _DEFINITIONS = WorkflowInstance.__table__, StoredDefinition.__table__
_LOCK_INSTANCE = (
    select(*(_INSTANCES.c[name] for name in InstanceRow._fields), _DEFINITIONS.c.digest)
    .join(_DEFINITIONS, _DEFINITIONS.c.id == _INSTANCES.c.definition_id)
    .where(_INSTANCES.c.id == bindparam("instance_id"))
    .with_for_update(of=_INSTANCES)
)
# FOR NO KEY UPDATE: it queues only those who take it too, not the rows that refer to the team.
_LOCK_TEAM = (
    select(Team.__table__.c.id)
    .where(Team.__table__.c.id == bindparam("team_id"))
    .with_for_update(key_share=True)
)
_REVISIONS = ArtifactRevision.__table__.c
_ITERATION_REVISIONS = (
    select(_REVISIONS.kind, _REVISIONS.item, _REVISIONS.revision, _REVISIONS.body)
    .where(
        _REVISIONS.instance_id == bindparam("instance_id"),
        _REVISIONS.iteration == bindparam("iteration"),
    )
    .order_by(_REVISIONS.kind, _REVISIONS.item, _REVISIONS.revision)
)
_PROGRAMS, _SCHOOLS, _TEAMS = (m.__table__.c for m in (Program, School, Team))
_TEAM_SIGNOFF_TRIGGERS = (
    select(_PROGRAMS.signoff_triggers)
    .select_from(Program.__table__)
    .join(School.__table__, _SCHOOLS.program_id == _PROGRAMS.id)
    .join(Team.__table__, _TEAMS.school_id == _SCHOOLS.id)
    .where(_TEAMS.id == bindparam("team_id"))
)


def get_instance(*, session: Session, instance_id: int, lock: bool = False) -> WorkflowInstance:
    """The instance, row-locked when `lock` (SQLite needs none: BEGIN IMMEDIATE serialises)."""
    query = select(WorkflowInstance).where(WorkflowInstance.id == instance_id)
    if lock:
        query = query.with_for_update()
    instance = session.exec(query).first()
    if instance is None:
        raise NotFound("cycle", instance_id)
    return instance


def lock_instance(*, session: Session, instance_id: int) -> tuple[InstanceRow, str]:
    """The instance, row-locked for a write, with the digest of the body it is pinned to."""
    session.flush()  # what the caller added is written first, as autoflush would (free if none)
    row = connection_of(session).execute(_LOCK_INSTANCE, {"instance_id": instance_id}).first()
    if row is None:
        raise NotFound("cycle", instance_id)
    return InstanceRow(*row[:-1]), row[-1]


def lock_team(*, session: Session, team_id: int) -> None:
    """Hold, until the transaction ends, the team's lock that starting one of its runs takes.

    Whoever checks that a team has no open cycle (or onboarding run) before starting one takes
    it first, so two requests at once cannot both find none on PostgreSQL. SQLite needs none:
    a writing unit of work there already holds the database's one write lock.
    """
    connection_of(session).execute(_LOCK_TEAM, {"team_id": team_id})


def current_revisions(
    *, session: Session, instance_id: int, iteration: int, kind: str | None = None
) -> list[ArtifactRevision]:
    """The latest revision of every artifact and record in one iteration, oldest item first."""
    latest = (
        select(
            ArtifactRevision.kind,
            ArtifactRevision.item,
            func.max(ArtifactRevision.revision).label("revision"),
        )
        .where(ArtifactRevision.instance_id == instance_id, ArtifactRevision.iteration == iteration)
        .group_by(ArtifactRevision.kind, ArtifactRevision.item)
    )
    if kind is not None:
        latest = latest.where(ArtifactRevision.kind == kind)
    latest_sub = latest.subquery()
    query = (
        select(ArtifactRevision)
        .join(
            latest_sub,
            (ArtifactRevision.kind == latest_sub.c.kind)
            & (ArtifactRevision.item == latest_sub.c.item)
            & (ArtifactRevision.revision == latest_sub.c.revision),
        )
        .where(ArtifactRevision.instance_id == instance_id, ArtifactRevision.iteration == iteration)
        .order_by(ArtifactRevision.kind, ArtifactRevision.item)
    )
    return list(session.exec(query).all())


def revisions(
    *, session: Session, instance_id: int, kind: str, iteration: int | None = None
) -> list[ArtifactRevision]:
    """Every revision of one artifact kind, oldest first, optionally in one iteration."""
    query = select(ArtifactRevision).where(
        ArtifactRevision.instance_id == instance_id, ArtifactRevision.kind == kind
    )
    if iteration is not None:
        query = query.where(ArtifactRevision.iteration == iteration)
    order = (ArtifactRevision.iteration, ArtifactRevision.item, ArtifactRevision.revision)
    return list(session.exec(query.order_by(*order)).all())


def history(*, session: Session, instance_id: int) -> list[HistoryEvent]:
    query = select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
    return list(session.exec(query.order_by(col(HistoryEvent.seq))).all())


def _progress() -> Select[Any]:
    """(school id, condition, state, reviews concluded) of every cycle of a school's teams."""
    concluded = (
        select(func.count())
        .where(
            HistoryEvent.instance_id == WorkflowInstance.id,
            HistoryEvent.trigger == "conclude_review",
        )
        .correlate(WorkflowInstance)
        .scalar_subquery()
    )
    return (
        select(Team.school_id, WorkflowInstance.condition, WorkflowInstance.state, concluded)
        .join(Team, Team.id == WorkflowInstance.team_id)
        .where(WorkflowInstance.kind == "cycle")
    )


def school_progress(*, session: Session, school_id: int) -> list[CycleProgress]:
    """How far each cycle of the school's teams has come, for program-phase gates."""
    rows = session.exec(_progress().where(Team.school_id == school_id)).all()
    return [CycleProgress(c or "", s, n) for _, c, s, n in rows]


def schools_progress(
    *, session: Session, school_ids: Collection[int]
) -> dict[int, list[CycleProgress]]:
    """`school_progress` of each school named (a page of them), by school, in one query."""
    rows = session.exec(_progress().where(col(Team.school_id).in_(school_ids))).all()
    progress: dict[int, list[CycleProgress]] = defaultdict(list)
    for school_id, condition, state, n in rows:
        progress[school_id].append(CycleProgress(condition or "", state, n))
    return progress


def phase_instances(
    *, session: Session, instance_ids: Collection[int]
) -> list[tuple[WorkflowInstance, str]]:
    """The schools' phase instances named (a page of them), each with its pinned body's digest."""
    query = (
        select(WorkflowInstance, StoredDefinition.digest)
        .join(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .where(
            col(WorkflowInstance.id).in_(instance_ids),
            WorkflowInstance.kind == "program_phases",
        )
    )
    return [(instance, digest) for instance, digest in session.exec(query).all()]


Documents = Mapping[tuple[str, int], tuple[int, Any]]
"""The current revision of each (kind, item) of an iteration: (its number, its body)."""


def current_documents(*, session: Session, instance_ids: Select[Any]) -> dict[int, Documents]:
    """The documents of each selected instance's current iteration, in one query.

    `instance_ids` is a SELECT of ids, so the database joins it: a caseload of ten
    thousand teams never becomes a statement with ten thousand bound ids.
    """
    query = (
        select(
            ArtifactRevision.instance_id,
            ArtifactRevision.kind,
            ArtifactRevision.item,
            ArtifactRevision.revision,
            ArtifactRevision.body,
        )
        .join(
            WorkflowInstance,
            (WorkflowInstance.id == ArtifactRevision.instance_id)
            & (WorkflowInstance.iteration == ArtifactRevision.iteration),
        )
        .where(col(ArtifactRevision.instance_id).in_(instance_ids))
        .order_by(
            ArtifactRevision.instance_id,
            ArtifactRevision.kind,
            ArtifactRevision.item,
            ArtifactRevision.revision,
        )
    )
    documents: dict[int, dict[tuple[str, int], tuple[int, Any]]] = defaultdict(dict)
    for instance_id, kind, item, number, body in session.exec(query).all():
        documents[instance_id][(kind, item)] = (number, body)  # the latest revision stays
    return documents


def split_documents(
    workflow: Workflow, documents: Documents
) -> tuple[dict[str, Any], dict[str, list[Any]], dict[str, int]]:
    """Documents as the gates see them: artifacts, records per repeatable kind, revision numbers."""
    artifacts: dict[str, Any] = {}
    records: dict[str, list[Any]] = {}
    numbers: dict[str, int] = {}
    for (kind, _), (number, body) in documents.items():
        if workflow.artifacts[kind].spec.repeatable:
            records.setdefault(kind, []).append(body)
        else:
            artifacts[kind] = body
            numbers[kind] = number
    return artifacts, records, numbers


def team_signoff_triggers(*, session: Session, team_id: int) -> frozenset[str]:
    """The triggers the team's program wants a coach to sign off."""
    return _signoff_triggers(connection_of(session), team_id)


def _signoff_triggers(connection: Connection, team_id: int) -> frozenset[str]:
    triggers = connection.execute(_TEAM_SIGNOFF_TRIGGERS, {"team_id": team_id}).scalar()
    return frozenset(str(t) for t in triggers or ())


def signed_off_revisions(*, session: Session, instance_id: int, iteration: int) -> dict[str, int]:
    """The highest revision of each artifact kind a coach has signed off in one iteration."""
    query = (
        select(ArtifactRevision.kind, func.max(ArtifactRevision.revision))
        .join(SignOff, col(SignOff.revision_id) == ArtifactRevision.id)
        .where(ArtifactRevision.instance_id == instance_id, ArtifactRevision.iteration == iteration)
        .group_by(ArtifactRevision.kind)
    )
    return {kind: revision for kind, revision in session.exec(query).all()}


def gather_facts(
    *,
    session: Session,
    instance: WorkflowInstance | InstanceRow,
    workflow: Workflow,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Facts:
    """Everything the instance's gates may consult, read in a fixed handful of queries."""
    assert instance.id is not None
    # Core statements go straight to the session's connection (its transaction), skipping the
    # ORM's per-statement work; every writer here flushes its rows, so none is pending.
    connection = connection_of(session)
    rows = connection.execute(
        _ITERATION_REVISIONS, {"instance_id": instance.id, "iteration": instance.iteration}
    ).all()
    # Later revisions overwrite earlier ones: what remains is the current one.
    current = {(kind, item): (number, body) for kind, item, number, body in rows}
    artifacts, records, numbers = split_documents(workflow, current)
    school_cycles: Sequence[CycleProgress] = ()
    if instance.kind == "program_phases" and instance.school_id is not None:
        school_cycles = school_progress(session=session, school_id=instance.school_id)
    signoff_triggers: frozenset[str] = frozenset()
    signed_off: dict[str, int] = {}
    if instance.kind == "cycle" and instance.team_id is not None:
        signoff_triggers = _signoff_triggers(connection, instance.team_id)
        if signoff_triggers or workflow.names_signoffs:  # most programs ask for none: skip the read
            signed_off = signed_off_revisions(
                session=session, instance_id=instance.id, iteration=instance.iteration
            )
    return Facts(
        today=today or utcnow().date(),  # the service's one clock: UTC, whatever the host
        reason=reason,
        artifacts=artifacts,
        records=records,
        school_cycles=school_cycles,
        revisions=numbers,
        signed_off=signed_off,
        signoff_triggers=signoff_triggers,
    )


def active_cycle(*, session: Session, team_id: int) -> WorkflowInstance | None:
    """The team's open cycle, or else its most recent one."""
    query = select(WorkflowInstance).where(
        WorkflowInstance.team_id == team_id, WorkflowInstance.kind == "cycle"
    )
    open_first = (WorkflowInstance.state == "closed", col(WorkflowInstance.id).desc())
    return session.exec(query.order_by(*open_first)).first()
