"""A team's status: the one view the API, the pages and the CLI all show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from engine.workflow import StageView
from service.catalog import Catalog, get_catalog
from service.errors import NotFound
from service.instances import Fired, instance_view
from service.queries import InstanceRow, active_cycle
from service.store.models import Team, WorkflowInstance, utcnow


@dataclass(frozen=True)
class PhaseStatus:
    instance_id: int
    state: str
    title: str


@dataclass(frozen=True)
class CycleStatus:
    """Where one instance stands, with the moment it entered its state."""

    instance: WorkflowInstance | InstanceRow
    """The row as read, or as a fire wrote it (a plain row, no ORM entity)."""
    view: StageView
    days_in_state: int


@dataclass(frozen=True)
class TeamStatus:
    team: Team
    cycle: CycleStatus | None
    phase: PhaseStatus | None


def cycle_status(
    *,
    session: Session,
    instance_id: int,
    now: dt.datetime | None = None,
    catalog: Catalog | None = None,
) -> CycleStatus:
    now = now or utcnow()
    instance, view = instance_view(
        session=session, instance_id=instance_id, catalog=catalog, today=now.date()
    )
    days = (now.date() - instance.entered_at.date()).days
    return CycleStatus(instance, view, days)


def status_after_fire(fired: Fired) -> CycleStatus:
    """The status a fire leaves behind, without reading it back: the state was just entered."""
    return CycleStatus(fired.instance, fired.view(), 0)


def school_phase(
    *, session: Session, school_id: int, catalog: Catalog | None = None
) -> PhaseStatus | None:
    catalog = catalog or get_catalog()
    phase = session.exec(
        select(WorkflowInstance).where(
            WorkflowInstance.school_id == school_id, WorkflowInstance.kind == "program_phases"
        )
    ).first()
    if phase is None or phase.id is None:
        return None
    title = catalog.content.program_phases.phases[phase.state].title  # type: ignore[index]
    return PhaseStatus(phase.id, phase.state, title)


def team_status(
    *,
    session: Session,
    team_id: int,
    now: dt.datetime | None = None,
    catalog: Catalog | None = None,
) -> TeamStatus:
    """The team's active cycle (its open one, else its latest) and its school's program phase."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("team", team_id)
    cycle = active_cycle(session=session, team_id=team_id)
    return TeamStatus(
        team=team,
        cycle=cycle_status(session=session, instance_id=cycle.id, now=now, catalog=catalog)
        if cycle is not None and cycle.id is not None
        else None,
        phase=school_phase(session=session, school_id=team.school_id, catalog=catalog),
    )
