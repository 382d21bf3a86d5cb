"""What the program dashboard page shows: the figures of service.program_dashboard, in words.

Each table carries the address of its CSV download, which the page serves from the browser's
session with the API's own CSV writer, so the file holds exactly the rows the API would.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from service.caseload import CYCLE_STATES
from service.program_dashboard import ENGAGEMENT_DAYS, ProgramDashboard, StageCount
from service.web.diagram_svg import state_label
from service.web.pages.caseload_query import phase_titles
from service.web.pages.cycle_view import condition_titles
from service.web.pages.paging import PageWindow, paging, window_params
from service.web.pages.stage_board_view import SHADES, shade


def dashboard_path(program_id: int) -> str:
    return f"/programs/{program_id}/dashboard"


def csv_path(program_id: int, table: str, **params: int) -> str:
    """The page route that downloads one table; `params` are the stalled page's limit/offset."""
    return f"/programs/{program_id}/dashboard.csv?{urlencode({'table': table, **params})}"


@dataclass(frozen=True)
class PhaseLine:
    title: str
    schools: int
    behind: int


@dataclass(frozen=True)
class GridColumn:
    state: str
    label: str
    total: int


@dataclass(frozen=True)
class GridCell:
    count: int
    shade: int


@dataclass(frozen=True)
class GridRow:
    title: str
    cells: tuple[GridCell, ...]
    total: int


@dataclass(frozen=True)
class DurationLine:
    label: str
    median_days: float
    stays: int


def _grid(counts: list[StageCount]) -> tuple[tuple[GridColumn, ...], tuple[GridRow, ...]]:
    """Conditions down, states across, in playbook order; anything unknown comes last."""
    titles = condition_titles()
    by_cell = {(c.condition, c.state): c.teams for c in counts}
    conditions = list(titles) + sorted({c.condition for c in counts} - set(titles))
    states = list(CYCLE_STATES) + sorted({c.state for c in counts} - set(CYCLE_STATES))
    fullest = max(by_cell.values(), default=0)
    rows = []
    for condition in conditions:
        cells = [by_cell.get((condition, state), 0) for state in states]
        rows.append(
            GridRow(
                title=titles.get(condition) or condition or "No condition",
                cells=tuple(GridCell(n, shade(n, fullest)) for n in cells),
                total=sum(cells),
            )
        )
    columns = tuple(
        GridColumn(state, state_label(state), sum(by_cell.get((c, state), 0) for c in conditions))
        for state in states
    )
    return columns, tuple(rows)


def _stalled_page_href(program_id: int, query: PageWindow, offset: int) -> str:
    params = window_params(replace(query, offset=offset))
    return f"{dashboard_path(program_id)}?{urlencode(params)}#stalled"


def dashboard_context(dashboard: ProgramDashboard, query: PageWindow) -> dict[str, Any]:
    """Every table of the dashboard, each with its CSV download, and the page of stalled teams."""
    program_id = dashboard.program_id
    phases = phase_titles()
    columns, rows = _grid(dashboard.conditions_states)
    downloads = {
        table: csv_path(program_id, table)
        for table in ("phases", "conditions_states", "cycles", "median_days", "engagement")
    }
    downloads["stalled"] = csv_path(program_id, "stalled", limit=query.limit, offset=query.offset)
    return {
        "dashboard": dashboard,
        "program_id": program_id,
        "phase_lines": tuple(
            PhaseLine(phases.get(p.phase, p.phase), p.schools, p.behind) for p in dashboard.phases
        ),
        "schools": sum(p.schools for p in dashboard.phases),
        "behind": sum(p.behind for p in dashboard.phases),
        "grid_columns": columns,
        "grid_rows": rows,
        "teams_in_grid": sum(c.teams for c in dashboard.conditions_states),
        "shades": tuple(range(SHADES + 1)),
        "durations": tuple(
            DurationLine(state_label(d.state), d.median_days, d.stays)
            for d in dashboard.median_days
        ),
        "stalled_paging": paging(
            dashboard.stalled_total,
            query,
            lambda offset: _stalled_page_href(program_id, query, offset),
        ),
        "engagement_days": ENGAGEMENT_DAYS,
        "downloads": downloads,
    }
