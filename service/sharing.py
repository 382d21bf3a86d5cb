"""Shared learning: a team shares a finished cycle with the other teams of its program.

A *pass* is one iteration of a cycle. A pass is finished when three things hold:
its review was concluded (a `conclude_review` event in that iteration), its decision
is complete (the current revision of `decision` in that iteration), and the decision
still stands: the team acted on it (`move_on`, which closes the cycle, or `revisit`,
which starts the next pass) or the cycle is standing in `decide` on that pass.

A cycle can be shared once it has a finished pass. Others see its latest finished pass
as it is when they look, so a team that steps back out of `decide` in its only pass
drops out of the list until it decides again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, select
from sqlmodel import Session, col

from engine.errors import TransitionRefused
from engine.workflow import Workflow
from service.catalog import Catalog, get_catalog
from service.errors import InvalidRequest, NotFound
from service.instances import workflow_of
from service.queries import get_instance
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    Person,
    School,
    SharedCycle,
    StoredDefinition,
    Team,
    WorkflowInstance,
)

DOCUMENTS = ("theory_of_action", "impact_assessment", "decision")
"""What another team reads of a shared pass: the bet, what came of it, and what was decided."""


class AlreadyShared(TransitionRefused):
    """A cycle is shared once; unshare it first to share it again."""

    def __init__(self, cycle_id: int) -> None:
        super().__init__(f"cycle {cycle_id} is already shared with its program")


@dataclass(frozen=True)
class Passes:
    """What the history and the decisions say about each pass (iteration) of one cycle."""

    concluded: frozenset[int] = frozenset()
    acted_on: frozenset[int] = frozenset()
    decided: frozenset[int] = frozenset()


def latest_finished_pass(state: str, iteration: int, passes: Passes) -> int | None:
    """The highest iteration whose review is concluded and whose decision stands, if any."""
    standing = {iteration} if state == "decide" else set()
    finished = passes.concluded & passes.decided & (passes.acted_on | standing)
    return max(finished, default=None)


def why_not_shareable(state: str, iteration: int, passes: Passes) -> str:
    """The reason a cycle with no finished pass cannot be shared, in the team's terms."""
    if not passes.concluded:
        return f"its review has not been concluded yet (it is in {state})"
    if state == "decide" and iteration not in passes.decided:
        return "its decision is not complete yet: record the choice and the reasons for it"
    return f"its review was reopened before a decision was acted on (it is in {state})"


@dataclass(frozen=True)
class SharedCycleRow:
    cycle_id: int
    team_id: int
    team: str
    school: str
    condition: str | None
    shared_at: dt.datetime
    shared_by: str
    iteration: int
    """The finished pass shown, whose documents follow."""
    theory_of_action: dict[str, Any] | None
    impact_assessment: dict[str, Any] | None
    decision: dict[str, Any] | None


@dataclass(frozen=True)
class SharedPage:
    total: int
    rows: list[SharedCycleRow]


def _passes(
    session: Session,
    instance_ids: Select[Any] | Sequence[int],
    workflow_for: Callable[[int], Workflow],
) -> dict[int, Passes]:
    """Each cycle's concluded, acted-on and decided passes, in two queries."""
    concluded: dict[int, set[int]] = defaultdict(set)
    acted_on: dict[int, set[int]] = defaultdict(set)
    events = session.execute(
        select(HistoryEvent.instance_id, HistoryEvent.trigger, HistoryEvent.iteration).where(
            col(HistoryEvent.instance_id).in_(instance_ids),
            col(HistoryEvent.trigger).in_(("conclude_review", "move_on", "revisit")),
        )
    ).all()
    for instance_id, trigger, iteration in events:
        if trigger == "conclude_review":
            concluded[instance_id].add(iteration)
        else:
            # An event carries the iteration it leads into: revisit's is the pass after.
            acted_on[instance_id].add(iteration - 1 if trigger == "revisit" else iteration)
    decided: dict[int, set[int]] = defaultdict(set)
    decisions = _current_documents(
        session, col(ArtifactRevision.instance_id).in_(instance_ids), ("decision",)
    )
    for (instance_id, iteration, _), body in decisions.items():
        if workflow_for(instance_id).artifacts["decision"].status(body).status == "complete":
            decided[instance_id].add(iteration)
    return {
        i: Passes(frozenset(concluded[i]), frozenset(acted_on[i]), frozenset(decided[i]))
        for i in concluded.keys() | acted_on.keys() | decided.keys()
    }


def _current_documents(
    session: Session, where: ColumnElement[bool], kinds: Sequence[str]
) -> dict[tuple[int, int, str], dict[str, Any]]:
    """The current revision of single documents, keyed by (instance, iteration, kind)."""
    latest = (
        select(
            ArtifactRevision.instance_id,
            ArtifactRevision.iteration,
            ArtifactRevision.kind,
            func.max(ArtifactRevision.revision).label("revision"),
        )
        .where(where, col(ArtifactRevision.kind).in_(kinds), ArtifactRevision.item == 1)
        .group_by(ArtifactRevision.instance_id, ArtifactRevision.iteration, ArtifactRevision.kind)
        .subquery()
    )
    rows = session.execute(
        select(
            ArtifactRevision.instance_id,
            ArtifactRevision.iteration,
            ArtifactRevision.kind,
            ArtifactRevision.body,
        ).join(
            latest,
            and_(
                ArtifactRevision.instance_id == latest.c.instance_id,
                ArtifactRevision.iteration == latest.c.iteration,
                ArtifactRevision.kind == latest.c.kind,
                ArtifactRevision.revision == latest.c.revision,
                ArtifactRevision.item == 1,
            ),
        )
    ).all()
    return {(i, it, kind): body for i, it, kind, body in rows}


def _shared(where: ColumnElement[bool], *columns: Any) -> Select[Any]:
    """Shared cycles with their team and school, filtered by `where`."""
    return (
        select(*columns)
        .select_from(SharedCycle)
        .join(WorkflowInstance, WorkflowInstance.id == SharedCycle.instance_id)
        .join(Team, Team.id == WorkflowInstance.team_id)
        .join(School, School.id == Team.school_id)
        .where(where)
    )


def _load(
    session: Session, where: ColumnElement[bool], catalog: Catalog, limit: int, offset: int
) -> SharedPage:
    """Shared cycles matching `where`, newest share first, in four queries whatever the count."""
    rows = session.execute(
        _shared(
            where,
            SharedCycle.instance_id,
            SharedCycle.created_at,
            Person.name.label("shared_by"),
            Team.id.label("team_id"),
            Team.name.label("team"),
            School.name.label("school"),
            WorkflowInstance.condition,
            WorkflowInstance.state,
            WorkflowInstance.iteration,
            WorkflowInstance.definition_id,
            StoredDefinition.digest,
        )
        .join(Person, Person.id == SharedCycle.shared_by)
        .join(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .order_by(col(SharedCycle.created_at).desc(), col(SharedCycle.id).desc())
    ).all()
    by_id = {row.instance_id: row for row in rows}

    def workflow_for(instance_id: int) -> Workflow:
        row = by_id[instance_id]
        return catalog.pinned_workflow(
            row.digest, lambda: session.get_one(StoredDefinition, row.definition_id)
        )

    passes = _passes(session, _shared(where, SharedCycle.instance_id), workflow_for)
    finished: list[tuple[Any, int]] = []
    for row in rows:
        latest = latest_finished_pass(
            row.state, row.iteration, passes.get(row.instance_id, Passes())
        )
        if latest is not None:
            finished.append((row, latest))
    page = finished[offset : offset + limit]
    documents = (
        _current_documents(
            session,
            col(ArtifactRevision.instance_id).in_([row.instance_id for row, _ in page]),
            DOCUMENTS,
        )
        if page
        else {}
    )
    return SharedPage(
        total=len(finished),
        rows=[
            SharedCycleRow(
                cycle_id=row.instance_id,
                team_id=row.team_id,
                team=row.team,
                school=row.school,
                condition=row.condition,
                shared_at=row.created_at,
                shared_by=row.shared_by,
                iteration=iteration,
                **{kind: documents.get((row.instance_id, iteration, kind)) for kind in DOCUMENTS},
            )
            for row, iteration in page
        ],
    )


def share_cycle(
    *, session: Session, instance_id: int, shared_by: int, catalog: Catalog | None = None
) -> SharedCycleRow:
    """Share a condition cycle that has a finished pass with the rest of its program."""
    catalog = catalog or get_catalog()
    instance = get_instance(session=session, instance_id=instance_id, lock=True)
    if instance.kind != "cycle":
        raise InvalidRequest(
            f"only a condition cycle can be shared; {instance_id} is a {instance.kind} run"
        )
    if session.execute(
        select(SharedCycle.id).where(SharedCycle.instance_id == instance_id)
    ).first():
        raise AlreadyShared(instance_id)
    workflow = workflow_of(session, instance, catalog)
    passes = _passes(session, [instance_id], lambda _: workflow).get(instance_id, Passes())
    if latest_finished_pass(instance.state, instance.iteration, passes) is None:
        raise InvalidRequest(
            f"cycle {instance_id} cannot be shared yet: "
            f"{why_not_shareable(instance.state, instance.iteration, passes)}. A cycle can be "
            "shared once a pass has a concluded review and a recorded decision: standing in "
            "decide with a complete decision, after revisiting, or closed."
        )
    session.add(SharedCycle(instance_id=instance_id, shared_by=shared_by))
    session.flush()
    return _load(session, SharedCycle.instance_id == instance_id, catalog, 1, 0).rows[0]


def unshare_cycle(*, session: Session, instance_id: int) -> None:
    """Take a cycle back out of its program's shared learning."""
    result = session.execute(delete(SharedCycle).where(col(SharedCycle.instance_id) == instance_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("shared cycle", instance_id)


def shared_cycles(
    *,
    session: Session,
    program_id: int,
    condition: str | None = None,
    limit: int,
    offset: int,
    catalog: Catalog | None = None,
) -> SharedPage:
    """The program's shared cycles, newest share first, each with its latest finished pass."""
    catalog = catalog or get_catalog()
    where = School.program_id == program_id
    if condition is not None:
        if condition not in catalog.content.condition_slugs:
            known = ", ".join(catalog.content.condition_slugs)
            raise InvalidRequest(f"unknown condition {condition!r}; choose one of: {known}")
        where = and_(where, WorkflowInstance.condition == condition)
    return _load(session, where, catalog, limit, offset)
