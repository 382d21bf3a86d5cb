"""A coach's caseload at a glance: one row per team, with the flags that say who needs help.

Everything is read in a fixed number of queries, whatever the number of teams:
teams, their cycles, their schools' phases, the current artifacts, the last
activity and the last check-in. The engine then judges each row in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from engine.facts import Facts, InstanceState
from service.catalog import Catalog, get_catalog
from service.queries import current_documents, split_documents
from service.store.models import (
    ArtifactRevision,
    CheckIn,
    HistoryEvent,
    Program,
    School,
    StoredDefinition,
    Team,
    TeamMembership,
    WorkflowInstance,
)

Flag = Literal["stalled", "overdue", "checkin_due"]
FLAGS: tuple[Flag, ...] = ("stalled", "overdue", "checkin_due")
CYCLE_STATES = ("why", "how", "implement", "review", "decide", "closed")
"""A cycle's states in the order a board shows them."""


@dataclass(frozen=True)
class OverdueItem:
    action: str
    owner: str
    due: dt.date


@dataclass(frozen=True)
class CaseloadRow:
    team_id: int
    team: str
    school: str
    program_id: int
    program_phase: str | None
    cycle_id: int | None
    condition: str | None
    state: str | None
    iteration: int | None
    days_in_state: int | None
    owed: list[str]
    overdue_items: list[OverdueItem]
    last_activity: dt.datetime | None
    last_checkin: dt.date | None
    flags: list[Flag] = field(default_factory=list)


def is_stalled(last_activity: dt.datetime | None, today: dt.date, stall_days: int) -> bool:
    """No activity for `stall_days` days or more (a team with no activity at all is stalled)."""
    return last_activity is None or (today - last_activity.date()).days >= stall_days


def overdue_items(timeline: dict[str, Any] | None, today: dt.date) -> list[OverdueItem]:
    """Action-timeline items whose due date has passed (due today is not yet overdue)."""
    items = (timeline or {}).get("items") or []
    late = []
    for item in items:
        due = item.get("due")
        if due and item.get("status") != "done" and dt.date.fromisoformat(due) < today:
            late.append(
                OverdueItem(
                    item.get("action") or "", item.get("owner") or "", dt.date.fromisoformat(due)
                )
            )
    return late


def checkin_due(last_checkin: dt.date | None, today: dt.date) -> bool:
    """No check-in in the current calendar month."""
    return last_checkin is None or (last_checkin.year, last_checkin.month) != (
        today.year,
        today.month,
    )


def coach_teams(coach_id: int) -> Select[Any]:
    """The ids of the teams a person coaches, as a subquery-ready select."""
    return select(TeamMembership.team_id).where(
        TeamMembership.person_id == coach_id, TeamMembership.role == "coach"
    )


def _active_cycles(session: Session, team_ids: Select[Any]) -> dict[int, Any]:
    rows = session.execute(
        select(
            WorkflowInstance.id,
            WorkflowInstance.team_id,
            WorkflowInstance.condition,
            WorkflowInstance.state,
            WorkflowInstance.iteration,
            WorkflowInstance.launched_on,
            WorkflowInstance.entered_at,
            StoredDefinition.digest,
            WorkflowInstance.definition_id,
        )
        .join(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .where(WorkflowInstance.kind == "cycle", col(WorkflowInstance.team_id).in_(team_ids))
        .order_by(WorkflowInstance.state == "closed", col(WorkflowInstance.id).desc())
    ).all()
    active: dict[int, Any] = {}
    for row in rows:  # open cycles sort first, then the newest: the first seen per team wins
        active.setdefault(row.team_id, row)
    return active


def _last_activity(session: Session, team_ids: Select[Any]) -> dict[int, dt.datetime]:
    latest: dict[int, dt.datetime] = {}
    for source, stamp in (
        (HistoryEvent, HistoryEvent.at),
        (ArtifactRevision, ArtifactRevision.created_at),
    ):
        rows = session.execute(
            select(WorkflowInstance.team_id, func.max(stamp))
            .join(WorkflowInstance, WorkflowInstance.id == source.instance_id)
            .where(col(WorkflowInstance.team_id).in_(team_ids))
            .group_by(WorkflowInstance.team_id)
        ).all()
        for team_id, at in rows:
            if at is not None and at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            if at is not None and (team_id not in latest or at > latest[team_id]):
                latest[team_id] = at
    return latest


def caseload(
    *,
    session: Session,
    team_ids: Select[Any],
    today: dt.date,
    catalog: Catalog | None = None,
) -> list[CaseloadRow]:
    """One row per team in `team_ids`, worst first (most flags, then longest in its stage)."""
    catalog = catalog or get_catalog()
    teams = session.execute(
        select(Team.id, Team.name, School.id, School.name, Program.id, Program.stall_days)
        .join(School, School.id == Team.school_id)
        .join(Program, Program.id == School.program_id)
        .where(col(Team.id).in_(team_ids))
    ).all()
    cycles = _active_cycles(session, team_ids)
    phases = dict(
        session.execute(
            select(WorkflowInstance.school_id, WorkflowInstance.state).where(
                WorkflowInstance.kind == "program_phases",
                col(WorkflowInstance.school_id).in_(
                    select(Team.school_id).where(col(Team.id).in_(team_ids))
                ),
            )
        ).all()
    )
    documents = current_documents(
        session=session,
        instance_ids=select(WorkflowInstance.id).where(
            WorkflowInstance.kind == "cycle", col(WorkflowInstance.team_id).in_(team_ids)
        ),
    )
    activity = _last_activity(session, team_ids)
    checkins = dict(
        session.execute(
            select(CheckIn.team_id, func.max(CheckIn.held_on))
            .where(col(CheckIn.team_id).in_(team_ids))
            .group_by(CheckIn.team_id)
        ).all()
    )
    rows = []
    for team_id, team, school_id, school, program_id, stall_days in teams:
        cycle = cycles.get(team_id)
        owed: list[str] = []
        late: list[OverdueItem] = []
        if cycle is not None:
            workflow = catalog.pinned_workflow(
                cycle.digest, lambda c=cycle: session.get_one(StoredDefinition, c.definition_id)
            )
            artifacts, records, _ = split_documents(workflow, documents.get(cycle.id, {}))
            required = workflow.required(
                InstanceState(cycle.state, cycle.iteration, cycle.launched_on),
                Facts(today=today, artifacts=artifacts, records=records),
            )
            owed = [a.kind for a in required if a.status != "complete"]
            late = (
                overdue_items(artifacts.get("action_timeline"), today)
                if cycle.state != "closed"
                else []
            )
        last = activity.get(team_id)
        last_checkin = checkins.get(team_id)
        flags: list[Flag] = []
        if is_stalled(last, today, stall_days):
            flags.append("stalled")
        if late:
            flags.append("overdue")
        if checkin_due(last_checkin, today):
            flags.append("checkin_due")
        entered = cycle.entered_at if cycle is not None else None
        if entered is not None and entered.tzinfo is None:
            entered = entered.replace(tzinfo=dt.UTC)
        rows.append(
            CaseloadRow(
                team_id=team_id,
                team=team,
                school=school,
                program_id=program_id,
                program_phase=phases.get(school_id),
                cycle_id=cycle.id if cycle else None,
                condition=cycle.condition if cycle else None,
                state=cycle.state if cycle else None,
                iteration=cycle.iteration if cycle else None,
                days_in_state=(today - entered.date()).days if entered else None,
                owed=owed,
                overdue_items=late,
                last_activity=last,
                last_checkin=last_checkin,
                flags=flags,
            )
        )
    rows.sort(key=lambda r: (-len(r.flags), -(r.days_in_state or 0), r.team))
    return rows


def stage_board(rows: Iterable[CaseloadRow]) -> dict[tuple[str, str], list[int]]:
    """Team ids per (condition, state): the grid a coach scans for where teams bunch up."""
    board: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        if row.condition and row.state:
            board[(row.condition, row.state)].append(row.team_id)
    return dict(board)
