"""The caseload as one SELECT: a row per team with everything the page sorts, filters and counts by.

The database finds each team's active cycle, program phase, last activity and check-in,
counts the overdue actions of its current action timeline, and raises the three flags, so a
page of a large caseload is sorted, filtered, counted and cut without every team coming to
Python. The rules are those of `service.caseload` (`is_stalled`, `overdue_items`,
`checkin_due`) put in SQL; tests hold the two equal at their boundaries on both databases.

Three things differ between SQLite and PostgreSQL, and each is one function here: the UTC
calendar day of a timestamp, whole days between two days, and a JSON array as rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CTE,
    JSON,
    ColumnElement,
    Date,
    Integer,
    Select,
    Subquery,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import aliased
from sqlmodel import col

from service.store.models import (
    ArtifactRevision,
    CheckIn,
    HistoryEvent,
    Program,
    School,
    Team,
    WorkflowInstance,
)

POSTGRESQL = "postgresql"


def utc_day(stamp: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a stored timestamp (SQLite keeps them in UTC, without a zone)."""
    if dialect == POSTGRESQL:
        return cast(func.timezone("UTC", stamp), Date)
    return func.date(stamp)


def days_between(day: ColumnElement[Any], today: dt.date, dialect: str) -> ColumnElement[int]:
    """Whole days from `day` to `today`, as Python's `(today - day).days`."""
    if dialect == POSTGRESQL:
        return cast(literal(today, Date) - day, Integer)
    return cast(func.julianday(today.isoformat()) - func.julianday(day), Integer)


def _timeline_items(body: Any, dialect: str) -> Any:
    """The items of an action timeline's body as rows with one JSON `value` each."""
    if dialect == POSTGRESQL:
        items = case(
            (func.json_typeof(body["items"]) == "array", body["items"]),
            else_=literal_column("'[]'::json"),
        )
        return func.json_array_elements(items).table_valued(column("value", JSON))
    return func.json_each(body, "$.items").table_valued(column("value", JSON))


def active_cycles(team_ids: Select[Any]) -> Subquery:
    """Each team's active cycle, the open one else the newest: (team_id, cycle_id) per team
    that has a cycle; join `WorkflowInstance` on `cycle_id` for the rest."""
    return (
        select(
            WorkflowInstance.team_id,
            func.coalesce(
                func.max(case((WorkflowInstance.state != "closed", WorkflowInstance.id))),
                func.max(WorkflowInstance.id),
            ).label("cycle_id"),
        )
        .where(WorkflowInstance.kind == "cycle", col(WorkflowInstance.team_id).in_(team_ids))
        .group_by(WorkflowInstance.team_id)
        .subquery("active_cycle")
    )


def overdue_actions(team_ids: Select[Any], today: dt.date, dialect: str) -> Subquery:
    """How many actions are overdue (as `overdue_items`) on the current action timeline of each
    of the teams' open cycles: the latest revision, in the cycle's iteration, of the timeline's
    one document (item 1)."""
    latest = aliased(ArtifactRevision)
    item = _timeline_items(ArtifactRevision.body, dialect).alias("item")
    due = item.c.value["due"].as_string()
    status = item.c.value["status"].as_string()
    newest = (
        select(func.max(latest.revision))
        .where(
            latest.instance_id == ArtifactRevision.instance_id,
            latest.iteration == ArtifactRevision.iteration,
            latest.kind == ArtifactRevision.kind,
            latest.item == ArtifactRevision.item,
        )
        .scalar_subquery()
    )
    return (
        select(ArtifactRevision.instance_id, func.count().label("overdue"))
        .join(
            WorkflowInstance,
            (WorkflowInstance.id == ArtifactRevision.instance_id)
            & (WorkflowInstance.iteration == ArtifactRevision.iteration),
        )
        .join(item, true())
        .where(
            WorkflowInstance.kind == "cycle",
            WorkflowInstance.state != "closed",
            col(WorkflowInstance.team_id).in_(team_ids),
            ArtifactRevision.kind == "action_timeline",
            ArtifactRevision.item == 1,
            ArtifactRevision.revision == newest,
            due.is_not(None),
            due < today.isoformat(),
            func.coalesce(status, "") != "done",
        )
        .group_by(ArtifactRevision.instance_id)
        .subquery("late")
    )


def _latest(stamp: Any, instance_id: Any, team_ids: Select[Any], name: str) -> Subquery:
    """Each team's latest `stamp` over its instances' rows."""
    return (
        select(WorkflowInstance.team_id, func.max(stamp).label("last"))
        .join(WorkflowInstance, WorkflowInstance.id == instance_id)
        .where(col(WorkflowInstance.team_id).in_(team_ids))
        .group_by(WorkflowInstance.team_id)
        .subquery(name)
    )


def _later(first: ColumnElement[Any], second: ColumnElement[Any]) -> ColumnElement[Any]:
    """The later of two moments, either of which may be NULL (SQLite's max() would be NULL)."""
    return case(
        (first.is_(None), second),
        (second.is_(None) | (first >= second), first),
        else_=second,
    )


def _last_checkins(team_ids: Select[Any]) -> Subquery:
    return (
        select(CheckIn.team_id, func.max(CheckIn.held_on).label("last"))
        .where(col(CheckIn.team_id).in_(team_ids))
        .group_by(CheckIn.team_id)
        .subquery("checkin")
    )


def _month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of today's month and of the next."""
    start = today.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def _as_int(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def caseload_rows(*, team_ids: Select[Any], today: dt.date, dialect: str) -> CTE:
    """One row per team in `team_ids`: its cycle, phase, activity, overdue actions and flags.

    `stalled`, `overdue` and `checkin_due` are 1 or 0, and `flag_count` their sum.
    """
    active = active_cycles(team_ids)
    cycles = aliased(WorkflowInstance, name="cycle")
    timelines = overdue_actions(team_ids, today, dialect)
    history = _latest(HistoryEvent.at, HistoryEvent.instance_id, team_ids, "history")
    revisions = _latest(
        ArtifactRevision.created_at, ArtifactRevision.instance_id, team_ids, "revisions"
    )
    last = _later(history.c.last, revisions.c.last)
    checkins = _last_checkins(team_ids)
    phases = (
        select(WorkflowInstance.school_id, WorkflowInstance.state)
        .where(WorkflowInstance.kind == "program_phases")
        .subquery("phase")
    )
    month_start, next_month = _month_bounds(today)
    stalled = _as_int(
        last.is_(None)
        | (days_between(utc_day(last, dialect), today, dialect) >= Program.stall_days)
    )
    overdue = _as_int(func.coalesce(timelines.c.overdue, 0) > 0)
    checkin_due = _as_int(
        checkins.c.last.is_(None)
        | (checkins.c.last < month_start)
        | (checkins.c.last >= next_month)
    )
    return (
        select(
            Team.id.label("team_id"),  # type: ignore[union-attr]
            Team.name.label("team"),  # type: ignore[attr-defined]
            School.name.label("school"),  # type: ignore[attr-defined]
            School.program_id,
            phases.c.state.label("program_phase"),
            cycles.id.label("cycle_id"),
            cycles.definition_id,
            cycles.condition,
            cycles.state,
            cycles.iteration,
            cycles.launched_on,
            days_between(utc_day(cycles.entered_at, dialect), today, dialect).label(
                "days_in_state"
            ),
            func.coalesce(timelines.c.overdue, 0).label("overdue_count"),
            last.label("last_activity"),
            checkins.c.last.label("last_checkin"),
            stalled.label("stalled"),
            overdue.label("overdue"),
            checkin_due.label("checkin_due"),
            (stalled + overdue + checkin_due).label("flag_count"),
        )
        .join(School, School.id == Team.school_id)
        .join(Program, Program.id == School.program_id)
        .outerjoin(phases, phases.c.school_id == School.id)
        .outerjoin(active, active.c.team_id == Team.id)
        .outerjoin(cycles, cycles.id == active.c.cycle_id)
        .outerjoin(timelines, timelines.c.instance_id == cycles.id)
        .outerjoin(history, history.c.team_id == Team.id)
        .outerjoin(revisions, revisions.c.team_id == Team.id)
        .outerjoin(checkins, checkins.c.team_id == Team.id)
        .where(col(Team.id).in_(team_ids))
        .cte("caseload")
    )
