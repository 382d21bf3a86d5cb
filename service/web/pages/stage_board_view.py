"""The stage board: how many of a coach's teams sit in each condition and stage.

Cells are shaded in five steps relative to the fullest cell, so the board reads the same for
a coach of ten teams and a coach of thirty; the count is always written in the cell too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from service.caseload import CYCLE_STATES, StageBoard
from service.web.diagram_svg import state_label
from service.web.pages.caseload_query import CaseloadQuery
from service.web.pages.cycle_view import condition_titles

SHADES = 4
"""Shades above zero: `heat-0` (no teams) to `heat-4` (the fullest cells)."""


@dataclass(frozen=True)
class BoardCell:
    count: int
    shade: int
    href: str | None
    description: str


@dataclass(frozen=True)
class BoardRow:
    condition: str
    title: str
    cells: tuple[BoardCell, ...]
    total: int


@dataclass(frozen=True)
class StageColumn:
    state: str
    label: str
    total: int


def shade(count: int, fullest: int) -> int:
    """0 for an empty cell, else 1 to SHADES in proportion to the fullest cell."""
    if count <= 0 or fullest <= 0:
        return 0
    return max(1, math.ceil(SHADES * count / fullest))


def _teams(count: int) -> str:
    return f"{count} team{'' if count == 1 else 's'}"


def stage_board_context(board: StageBoard) -> dict[str, Any]:
    """Conditions down, stages across; each non-empty cell links to the caseload filtered to it."""
    fullest = max(board.cells.values(), default=0)
    grid = []
    for slug, title in condition_titles().items():
        cells = []
        for state in CYCLE_STATES:
            count = board.cells.get((slug, state), 0)
            cells.append(
                BoardCell(
                    count=count,
                    shade=shade(count, fullest),
                    href=CaseloadQuery(condition=slug, state=state).href() if count else None,
                    description=f"{_teams(count)} in {title}, {state_label(state).lower()}",
                )
            )
        grid.append(BoardRow(slug, title, tuple(cells), sum(c.count for c in cells)))
    columns = tuple(
        StageColumn(
            state, state_label(state), sum(board.cells.get((r.condition, state), 0) for r in grid)
        )
        for state in CYCLE_STATES
    )
    return {
        "team_count": board.teams,
        "columns": columns,
        "rows": tuple(grid),
        "without_cycle": board.without_cycle,
        "shades": tuple(range(SHADES + 1)),
    }
