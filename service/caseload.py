"""A coach's caseload at a glance: one row per team, with the flags that say who needs help.

The database judges every team by what the page sorts, filters and counts
(`service.caseload_sql`), then sends only the page shown; Python asks the engine what
those teams still owe and lists their overdue actions. A call reads a fixed number of
statements, and holds only its page, whatever the number of teams.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, FromClause, Row, Select, case, func, select, true
from sqlmodel import Session, col

from engine.facts import Facts, InstanceState
from service.caseload_sql import active_cycles, caseload_rows
from service.catalog import Catalog, get_catalog
from service.queries import Documents, current_documents, split_documents
from service.store.models import StoredDefinition, Team, TeamMembership, WorkflowInstance

Flag = Literal["stalled", "overdue", "checkin_due"]
FLAGS: tuple[Flag, ...] = ("stalled", "overdue", "checkin_due")
CYCLE_STATES = ("why", "how", "implement", "review", "decide", "closed")
"""A cycle's states in the order a board shows them."""
SORTS = (
    "team",
    "school",
    "phase",
    "condition",
    "state",
    "days_in_state",
    "owed",
    "overdue",
    "last_activity",
    "last_checkin",
    "flags",
)
"""What a caseload can be sorted by; None means worst first."""


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


@dataclass(frozen=True)
class CaseloadFilters:
    """Which teams to list; None lets every value through."""

    flag: Flag | None = None
    condition: str | None = None
    state: str | None = None
    phase: str | None = None

    def __bool__(self) -> bool:
        return any((self.flag, self.condition, self.state, self.phase))


@dataclass(frozen=True)
class CaseloadPage:
    rows: list[CaseloadRow]
    """The page asked for, in the order asked for."""
    total: int
    """Teams that pass the filters."""
    teams: int
    """Teams on the whole caseload."""
    flag_counts: dict[Flag, int]
    """Teams on the whole caseload that carry each flag."""


@dataclass(frozen=True)
class StageBoard:
    cells: dict[tuple[str, str], int]
    """Teams per (condition, state) of their active cycle."""
    teams: int
    without_cycle: int


def is_stalled(last_activity: dt.datetime | None, today: dt.date, stall_days: int) -> bool:
    """No activity for `stall_days` days or more (a team with no activity at all is stalled).

    The rule as written; `caseload_sql` raises the flag in SQL, and tests hold the two equal.
    """
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
    """No check-in in the current calendar month.

    The rule as written; `caseload_sql` raises the flag in SQL, and tests hold the two equal.
    """
    return last_checkin is None or (last_checkin.year, last_checkin.month) != (
        today.year,
        today.month,
    )


def coach_teams(coach_id: int) -> Select[Any]:
    """The ids of the teams a person coaches, as a subquery-ready select."""
    return select(TeamMembership.team_id).where(
        TeamMembership.person_id == coach_id, TeamMembership.role == "coach"
    )


def _passing(rows: FromClause, filters: CaseloadFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the filters that are set."""
    clauses = []
    if filters.flag:
        clauses.append(rows.c[filters.flag] == 1)
    for name, column in (
        ("condition", rows.c.condition),
        ("state", rows.c.state),
        ("phase", rows.c.program_phase),
    ):
        if (value := getattr(filters, name)) is not None:
            clauses.append(column == value)
    return clauses


def _place(column: Any, values: Sequence[str]) -> ColumnElement[Any]:
    """Where the column's value comes in `values`; NULL (sorted last) when it is not there."""
    return case({value: n for n, value in enumerate(values)}, value=column, else_=None)


def _sort_key(rows: FromClause, sort: str, catalog: Catalog) -> ColumnElement[Any]:
    """The SQL value a column sorts by (`owed` is the engine's and is sorted in Python)."""
    keys: dict[str, ColumnElement[Any]] = {
        "team": func.lower(rows.c.team),
        "school": func.lower(rows.c.school),
        "phase": _place(rows.c.program_phase, list(catalog.content.program_phases.phases)),
        "condition": _place(rows.c.condition, catalog.content.condition_slugs),
        "state": _place(rows.c.state, CYCLE_STATES),
        "days_in_state": rows.c.days_in_state,
        "overdue": rows.c.overdue_count,
        "last_activity": rows.c.last_activity,
        "last_checkin": rows.c.last_checkin,
        "flags": rows.c.flag_count,
    }
    return keys[sort]


def _order(
    rows: FromClause, sort: str | None, descending: bool, catalog: Catalog
) -> list[ColumnElement[Any]]:
    """The asked order, blanks last either way; ties worst first, then by team id for paging."""
    worst_first = [
        rows.c.flag_count.desc(),
        func.coalesce(rows.c.days_in_state, 0).desc(),
        rows.c.team,
        rows.c.team_id,
    ]
    if sort is None or sort == "owed":
        return worst_first
    key = _sort_key(rows, sort, catalog)
    return [key.is_(None), key.desc() if descending else key.asc(), *worst_first]


def _judged(
    session: Session,
    rows: Sequence[Row[Any]],
    cycle_ids: Select[Any],
    today: dt.date,
    catalog: Catalog,
) -> list[CaseloadRow]:
    """The rows with what the engine says each team still owes, and its overdue actions.

    `cycle_ids` selects at least the rows' cycles, whose current documents are read.
    """
    documents = current_documents(session=session, instance_ids=cycle_ids)
    return [_judge(session, row, documents.get(row.cycle_id, {}), today, catalog) for row in rows]


def _judge(
    session: Session, row: Row[Any], documents: Documents, today: dt.date, catalog: Catalog
) -> CaseloadRow:
    owed: list[str] = []
    late: list[OverdueItem] = []
    if row.cycle_id is not None:
        workflow = catalog.pinned_workflow(
            row.digest, lambda: session.get_one(StoredDefinition, row.definition_id)
        )
        artifacts, records, _ = split_documents(workflow, documents)
        required = workflow.required(
            InstanceState(row.state, row.iteration, row.launched_on),
            Facts(today=today, artifacts=artifacts, records=records),
        )
        owed = [a.kind for a in required if a.status != "complete"]
        if row.state != "closed":
            late = overdue_items(artifacts.get("action_timeline"), today)
    last = row.last_activity
    return CaseloadRow(
        team_id=row.team_id,
        team=row.team,
        school=row.school,
        program_id=row.program_id,
        program_phase=row.program_phase,
        cycle_id=row.cycle_id,
        condition=row.condition,
        state=row.state,
        iteration=row.iteration,
        days_in_state=row.days_in_state,
        owed=owed,
        overdue_items=late,
        last_activity=last.replace(tzinfo=dt.UTC) if last and last.tzinfo is None else last,
        last_checkin=row.last_checkin,
        flags=[f for f in FLAGS if getattr(row, f)],
    )


def caseload_page(
    *,
    session: Session,
    team_ids: Select[Any],
    today: dt.date,
    filters: CaseloadFilters = CaseloadFilters(),
    sort: str | None = None,
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
    catalog: Catalog | None = None,
) -> CaseloadPage:
    """One page of the teams in `team_ids` that pass `filters`, worst first unless `sort` says.

    Worst first is most flags, then longest in its stage. Only the page is judged, except
    when sorted by what teams still owe: the engine decides that, so every team that passes
    the filters is judged, in memory, to sort them.
    """
    catalog = catalog or get_catalog()
    rows = caseload_rows(team_ids=team_ids, today=today, dialect=session.get_bind().dialect.name)
    passing = _passing(rows, filters)
    counts = (
        select(
            func.count().label("teams"),
            (func.count().filter(*passing) if passing else func.count()).label("passing"),
            *(func.coalesce(func.sum(rows.c[f]), 0).label(f"{f}_teams") for f in FLAGS),
        )
        .select_from(rows)
        .subquery("counts")
    )
    in_sql = limit is not None and sort != "owed"
    shown = select(rows).where(*passing).order_by(*_order(rows, sort, descending, catalog))
    if in_sql:
        shown = shown.limit(limit).offset(offset)
    page_rows = shown.subquery("shown")
    # One statement: the counts' one row beside each row shown (or beside NULLs when none is),
    # so the database builds the caseload once for both.
    found = session.execute(
        select(counts, page_rows, StoredDefinition.digest)
        .select_from(counts)
        .outerjoin(page_rows, true())
        .outerjoin(StoredDefinition, StoredDefinition.id == page_rows.c.definition_id)
        .order_by(*_order(page_rows, sort, descending, catalog))
    ).all()
    totals = found[0]
    found = [r for r in found if r.team_id is not None]
    cycle_ids = select(WorkflowInstance.id).where(
        col(WorkflowInstance.id).in_([r.cycle_id for r in found if r.cycle_id is not None])
        if in_sql  # a page's cycles are few enough to name
        else (WorkflowInstance.kind == "cycle") & col(WorkflowInstance.team_id).in_(team_ids)
    )
    page = _judged(session, found, cycle_ids, today, catalog)
    if not in_sql:
        if sort == "owed":
            page.sort(key=lambda r: len(r.owed), reverse=descending)
        page = page[offset : None if limit is None else offset + limit]
    return CaseloadPage(
        rows=page,
        total=totals.passing,
        teams=totals.teams,
        flag_counts={f: totals._mapping[f"{f}_teams"] for f in FLAGS},
    )


def caseload(
    *, session: Session, team_ids: Select[Any], today: dt.date, catalog: Catalog | None = None
) -> list[CaseloadRow]:
    """Every team in `team_ids`, worst first (most flags, then longest in its stage)."""
    return caseload_page(session=session, team_ids=team_ids, today=today, catalog=catalog).rows


def stage_board(*, session: Session, team_ids: Select[Any]) -> StageBoard:
    """Teams per (condition, state): the grid a coach scans for where teams bunch up."""
    active = active_cycles(team_ids)
    cells: dict[tuple[str, str], int] = {}
    teams = without_cycle = 0
    for condition, state, count in session.execute(
        select(WorkflowInstance.condition, WorkflowInstance.state, func.count())
        .select_from(Team)
        .outerjoin(active, active.c.team_id == Team.id)
        .outerjoin(WorkflowInstance, WorkflowInstance.id == active.c.cycle_id)
        .where(col(Team.id).in_(team_ids))
        .group_by(WorkflowInstance.condition, WorkflowInstance.state)
    ):
        teams += count
        if condition is None:
            without_cycle += count
        else:
            cells[(condition, state)] = count
    return StageBoard(cells, teams, without_cycle)


def stage_board_teams(
    *, session: Session, team_ids: Select[Any]
) -> dict[tuple[str, str], list[int]]:
    """The ids of the teams in each (condition, state), smallest first."""
    active = active_cycles(team_ids)
    board: dict[tuple[str, str], list[int]] = defaultdict(list)
    for condition, state, team_id in session.execute(
        select(WorkflowInstance.condition, WorkflowInstance.state, active.c.team_id)
        .join(WorkflowInstance, WorkflowInstance.id == active.c.cycle_id)
        .where(col(WorkflowInstance.condition).is_not(None))
        .order_by(active.c.team_id)
    ):
        board[(condition, state)].append(team_id)
    return dict(board)
