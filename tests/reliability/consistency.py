"""What must hold for every cycle after any load or crash, read straight from the database.

A cycle is consistent when its stored state is what replaying its history gives, its events
are numbered 1..n with none doubled or missing, every artifact revision is numbered without
gaps and holds exactly a body a client sent, and its version counts every write: each save and
each fire bumps it once, so `version == events + revisions` (the start event comes with
version 1). A write that landed without its bump, or a bump without its write, breaks that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from load import ARTIFACT_BODIES
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.queries import history
from service.store.database import unit_of_work
from service.store.models import ArtifactRevision, WorkflowInstance
from service.versioning import replay_matches


@dataclass(frozen=True)
class CycleReport:
    cycle_id: int
    state: str
    writes: int
    """Saves and fires that landed: the steps of a walk that took effect."""
    problems: tuple[str, ...]


def _revision_problems(session: Session, instance: WorkflowInstance, events: int) -> list[str]:
    rows = session.exec(
        select(ArtifactRevision)
        .where(ArtifactRevision.instance_id == instance.id)
        .order_by(col(ArtifactRevision.id))
    ).all()
    numbers: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    problems = []
    for row in rows:
        numbers[(row.iteration, row.kind, row.item)].append(row.revision)
        if row.body != ARTIFACT_BODIES.get(row.kind):
            problems.append(f"{row.kind} revision {row.revision} is not what was sent: {row.body}")
    problems += [
        f"{key} revisions are numbered {got}"
        for key, got in numbers.items()
        if got != list(range(1, len(got) + 1))
    ]
    if instance.version != len(rows) + events:
        problems.append(
            f"version {instance.version} does not count {len(rows)} revisions and {events} events"
        )
    return problems


def check_cycle(session: Session, cycle_id: int) -> CycleReport:
    """The cycle's state and how many writes landed, with everything inconsistent about it."""
    instance = session.get_one(WorkflowInstance, cycle_id)
    seqs = [event.seq for event in history(session=session, instance_id=cycle_id)]
    problems = []
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"events are numbered {seqs}")
    if not replay_matches(session=session, instance_id=cycle_id):
        problems.append(f"state {instance.state!r} is not the replay of its history")
    problems += _revision_problems(session, instance, len(seqs))
    return CycleReport(cycle_id, instance.state, instance.version - 1, tuple(problems))


def check_cycles(db: Engine, cycle_ids: Iterable[int]) -> list[CycleReport]:
    with unit_of_work(db, write=False) as session:
        return [check_cycle(session, cycle_id) for cycle_id in cycle_ids]


def problems_in(reports: Iterable[CycleReport]) -> list[str]:
    return [f"cycle {r.cycle_id}: {p}" for r in reports for p in r.problems]
