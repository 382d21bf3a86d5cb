"""A state program at a glance: phases, where teams stand, pace, stalls and engagement.

Everything is read in a fixed number of queries, whatever the number of schools and
teams: the program, its schools' phases, the teams' active cycles per condition and
state, the decisive history events, every completed stay in a state, the engaged and
stalled teams counted from each team's last activity, and the one page of stalled teams
shown. A team is stalled by the caseload's rule (`is_stalled`), put as a cut-off moment
(`quiet_before`) so the database can count and page them without sending every team.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, func, select, union_all
from sqlmodel import Session, col

from engine.gates import CYCLE_PROGRESSION
from engine.workflow import MIGRATE
from service.caseload_sql import POSTGRESQL, active_cycles
from service.catalog import Catalog, get_catalog
from service.enrolment import PHASES_WORKFLOW, phase_calendar, school_phases
from service.errors import NotFound
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    Program,
    School,
    Team,
    UTCDateTime,
    WorkflowInstance,
)

ENGAGEMENT_DAYS = 30
"""A team counts as engaged with a history event or artifact revision in this many days."""
DECISIONS = ("conclude_review", "revisit", "move_on")
STATE_ORDER = {state: n for n, state in enumerate(CYCLE_PROGRESSION)}


@dataclass(frozen=True)
class PhaseCount:
    phase: str
    schools: int
    behind: int


@dataclass(frozen=True)
class StageCount:
    condition: str
    state: str
    teams: int


@dataclass(frozen=True)
class CycleCounts:
    completed: int
    revisit: int
    move_on: int


@dataclass(frozen=True)
class StateDuration:
    state: str
    median_days: float
    stays: int


@dataclass(frozen=True)
class StalledTeam:
    team_id: int
    team: str
    school: str
    days_quiet: int | None
    """Whole days since the team's last activity; None when it has none at all."""


@dataclass(frozen=True)
class Engagement:
    active_teams: int
    teams: int
    percent: float


@dataclass(frozen=True)
class ProgramDashboard:
    program_id: int
    program: str
    today: dt.date
    stall_days: int
    phases: list[PhaseCount]
    conditions_states: list[StageCount]
    cycles: CycleCounts
    median_days: list[StateDuration]
    stalled: list[StalledTeam]
    """One page of the stalled teams, quietest first."""
    stalled_total: int
    engagement: Engagement


def program_teams(program_id: int) -> Select[tuple[int]]:
    """The ids of a program's teams, as a subquery-ready select."""
    return (
        select(Team.id)
        .join(School, School.id == Team.school_id)
        .where(School.program_id == program_id)
    )


def _program_cycles(program_id: int) -> Select[tuple[int]]:
    return select(WorkflowInstance.id).where(
        WorkflowInstance.kind == "cycle",
        col(WorkflowInstance.team_id).in_(program_teams(program_id)),
    )


def phase_counts(
    *, session: Session, program_id: int, today: dt.date, catalog: Catalog | None = None
) -> list[PhaseCount]:
    """Schools per phase, and how many of them are behind their calendar (started ones only)."""
    catalog = catalog or get_catalog()
    schools = school_phases(session=session, program_id=program_id, today=today, catalog=catalog)
    order = [p.name for p in phase_calendar(catalog.definition(PHASES_WORKFLOW))]
    order += sorted({s.phase for s in schools if s.phase and s.phase not in order})
    total = Counter(s.phase for s in schools if s.phase)
    behind = Counter(s.phase for s in schools if s.phase and s.behind)
    return [PhaseCount(phase, total[phase], behind[phase]) for phase in order]


def stage_counts(*, session: Session, program_id: int) -> list[StageCount]:
    """Teams per condition and state of their active cycle (the open one, else the newest)."""
    active = active_cycles(program_teams(program_id))
    rows = session.execute(
        select(WorkflowInstance.condition, WorkflowInstance.state, func.count())
        .join(active, active.c.cycle_id == WorkflowInstance.id)
        .group_by(WorkflowInstance.condition, WorkflowInstance.state)
    ).all()
    counts = [StageCount(c or "", s, n) for c, s, n in rows]
    return sorted(counts, key=lambda r: (r.condition, STATE_ORDER.get(r.state, 99), r.state))


def cycle_counts(*, session: Session, program_id: int) -> CycleCounts:
    """Reviews concluded, and decisions to revisit or move on, over the program's history."""
    counts = dict(
        session.execute(
            select(HistoryEvent.trigger, func.count())
            .where(
                col(HistoryEvent.trigger).in_(DECISIONS),
                col(HistoryEvent.instance_id).in_(_program_cycles(program_id)),
            )
            .group_by(HistoryEvent.trigger)
        ).all()
    )
    return CycleCounts(
        completed=counts.get("conclude_review", 0),
        revisit=counts.get("revisit", 0),
        move_on=counts.get("move_on", 0),
    )


def median_days(*, session: Session, program_id: int) -> list[StateDuration]:
    """Median days per cycle state over completed stays: from entering a state to leaving it.

    SQL pairs each event with the instance's next one (migrations skipped: a cycle moved
    to a newer definition stays where it was) and takes each state's median stay, the mean
    of the middle two when their number is even: one row a state comes back, whatever the
    number of stays.
    """
    moves = (
        select(
            HistoryEvent.to_state,
            HistoryEvent.at,
            func.lead(HistoryEvent.at, type_=UTCDateTime())
            .over(partition_by=HistoryEvent.instance_id, order_by=HistoryEvent.seq)
            .label("left_at"),
        )
        .where(
            HistoryEvent.trigger != MIGRATE,
            col(HistoryEvent.instance_id).in_(_program_cycles(program_id)),
        )
        .subquery()
    )
    dialect = session.get_bind().dialect.name
    stays = (
        select(
            moves.c.to_state.label("state"),
            _days_between(moves.c.at, moves.c.left_at, dialect).label("days"),
        )
        .where(moves.c.left_at.is_not(None))
        .subquery()
    )
    ranked = select(
        stays.c.state,
        stays.c.days,
        func.row_number().over(partition_by=stays.c.state, order_by=stays.c.days).label("rank"),
        func.count().over(partition_by=stays.c.state).label("stays"),
    ).subquery()
    middle = (ranked.c.stays + 1) // 2, (ranked.c.stays + 2) // 2  # the same row when odd
    medians = (
        select(ranked.c.state, func.avg(ranked.c.days), func.max(ranked.c.stays))
        .where(ranked.c.rank.in_(middle))
        .group_by(ranked.c.state)
    )
    return [
        StateDuration(state, round(float(median), 1), stays)
        for state, median, stays in sorted(
            session.execute(medians).all(), key=lambda r: (STATE_ORDER.get(r[0], 99), r[0])
        )
    ]


def _days_between(start: Any, end: Any, dialect: str) -> ColumnElement[float]:
    """Fractional days from one stored timestamp to another."""
    if dialect == POSTGRESQL:
        return func.extract("epoch", end - start) / 86_400.0
    return func.julianday(end) - func.julianday(start)


def _team_activity(program_id: int) -> Subquery:
    """(team id, team, school, last history event or artifact revision) of every team."""
    teams = program_teams(program_id)
    stamps = union_all(
        select(WorkflowInstance.team_id, HistoryEvent.at.label("at"))
        .join(WorkflowInstance, WorkflowInstance.id == HistoryEvent.instance_id)
        .where(col(WorkflowInstance.team_id).in_(teams)),
        select(WorkflowInstance.team_id, ArtifactRevision.created_at.label("at"))
        .join(WorkflowInstance, WorkflowInstance.id == ArtifactRevision.instance_id)
        .where(col(WorkflowInstance.team_id).in_(teams)),
    ).subquery()
    latest = (
        select(stamps.c.team_id, func.max(stamps.c.at).label("last"))
        .group_by(stamps.c.team_id)
        .subquery()
    )
    return (
        select(
            Team.id.label("team_id"),  # type: ignore[union-attr]
            Team.name.label("team"),  # type: ignore[attr-defined]
            School.name.label("school"),  # type: ignore[attr-defined]
            latest.c.last,
        )
        .join(School, School.id == Team.school_id)
        .outerjoin(latest, latest.c.team_id == Team.id)
        .where(School.program_id == program_id)
        .subquery()
    )


def quiet_before(today: dt.date, days: int) -> dt.datetime:
    """Activity before this moment leaves a team quiet for `days` days today (as is_stalled)."""
    return dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), dt.UTC)


def activity_counts(
    *, session: Session, program_id: int, today: dt.date, stall_days: int
) -> tuple[Engagement, int]:
    """Engagement, and how many teams are stalled, counted by the database in one query."""
    activity = _team_activity(program_id)
    last = activity.c.last
    teams, active, stalled = session.execute(
        select(
            func.count(),
            func.count().filter(last >= quiet_before(today, ENGAGEMENT_DAYS)),
            func.count().filter(last.is_(None) | (last < quiet_before(today, stall_days))),
        ).select_from(activity)
    ).one()
    percent = round(100 * active / teams, 1) if teams else 0.0
    return Engagement(active, teams, percent), stalled


def stalled_page(
    *, session: Session, program_id: int, today: dt.date, stall_days: int, limit: int, offset: int
) -> list[StalledTeam]:
    """One page of the teams quiet for `stall_days` or more: never active, then the quietest.

    Only the page is read, so memory does not grow with the program's teams.
    """
    activity = _team_activity(program_id)
    last = activity.c.last
    rows = session.execute(
        select(activity.c.team_id, activity.c.team, activity.c.school, last)
        .where(last.is_(None) | (last < quiet_before(today, stall_days)))
        .order_by(last.is_not(None), last, activity.c.team, activity.c.team_id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        StalledTeam(team_id, team, school, (today - at.date()).days if at else None)
        for team_id, team, school, at in rows
    ]


def program_dashboard(
    *,
    session: Session,
    program_id: int,
    today: dt.date,
    stalled_limit: int = 100,
    stalled_offset: int = 0,
    catalog: Catalog | None = None,
) -> ProgramDashboard:
    """Every figure of the program's dashboard, one page of its stalled teams."""
    program = session.execute(
        select(Program.name, Program.stall_days).where(Program.id == program_id)
    ).first()
    if program is None:
        raise NotFound("program", program_id)
    name, stall_days = program
    engaged, stalled_total = activity_counts(
        session=session, program_id=program_id, today=today, stall_days=stall_days
    )
    stalled = stalled_page(
        session=session,
        program_id=program_id,
        today=today,
        stall_days=stall_days,
        limit=stalled_limit,
        offset=stalled_offset,
    )
    return ProgramDashboard(
        program_id=program_id,
        program=name,
        today=today,
        stall_days=stall_days,
        phases=phase_counts(session=session, program_id=program_id, today=today, catalog=catalog),
        conditions_states=stage_counts(session=session, program_id=program_id),
        cycles=cycle_counts(session=session, program_id=program_id),
        median_days=median_days(session=session, program_id=program_id),
        stalled=stalled,
        stalled_total=stalled_total,
        engagement=engaged,
    )
