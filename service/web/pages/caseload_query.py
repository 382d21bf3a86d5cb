"""The caseload's query string: which teams a coach asked to see, in which order, which page.

The query string is the page's whole state (filters, sort and page), so every view of the
caseload is a link a coach can bookmark, and the page works without JavaScript. Values the
page does not know (a hand-edited link) are ignored rather than refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from service.caseload import CYCLE_STATES, FLAGS, CaseloadRow, Flag
from service.catalog import get_catalog

CASELOAD = "/coach/caseload"
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class CaseloadQuery:
    """The filters, sort and page asked for; `sort` None means worst first."""

    flag: Flag | None = None
    condition: str | None = None
    state: str | None = None
    phase: str | None = None
    sort: str | None = None
    descending: bool = False
    limit: int = PAGE_SIZE
    offset: int = 0

    def href(self, **changes: Any) -> str:
        """The caseload's address for this query with `changes`, naming only what is set."""
        query = replace(self, **changes)
        params: dict[str, str | int] = {
            name: value
            for name in ("flag", "condition", "state", "phase", "sort")
            if (value := getattr(query, name))
        }
        if query.sort:
            params["dir"] = "desc" if query.descending else "asc"
        if query.limit != PAGE_SIZE:
            params["limit"] = query.limit
        if query.offset:
            params["offset"] = query.offset
        return f"{CASELOAD}?{urlencode(params)}" if params else CASELOAD


def _known(value: str, allowed: Sequence[str]) -> str | None:
    return value if value in allowed else None


def _count(raw: str, default: int, low: int, high: int) -> int:
    return min(max(int(raw), low), high) if raw.isascii() and raw.isdigit() else default


def parse_query(params: Mapping[str, str]) -> CaseloadQuery:
    """The query a coach asked for in the query string, keeping only values the page knows."""
    flag = params.get("flag", "")
    return CaseloadQuery(
        flag=next((f for f in FLAGS if f == flag), None),
        condition=_known(params.get("condition", ""), get_catalog().content.condition_slugs),
        state=_known(params.get("state", ""), CYCLE_STATES),
        phase=_known(params.get("phase", ""), list(phase_titles())),
        sort=_known(params.get("sort", ""), [c.key for c in COLUMNS]),
        descending=params.get("dir") == "desc",
        limit=_count(params.get("limit", ""), PAGE_SIZE, 1, MAX_PAGE_SIZE),
        offset=_count(params.get("offset", ""), 0, 0, 1_000_000),
    )


def phase_titles() -> dict[str, str]:
    """Each program phase's state and title, in the order a school goes through them."""
    return {name: p.title for name, p in get_catalog().content.program_phases.phases.items()}


def _place(values: Sequence[str], value: str | None) -> int | None:
    """Where `value` comes in `values` (None, so sorted last, when it is blank or unknown)."""
    return values.index(value) if value in values else None


def _condition_place(row: CaseloadRow) -> int | None:
    return _place(get_catalog().content.condition_slugs, row.condition)


def _phase_place(row: CaseloadRow) -> int | None:
    return _place(list(phase_titles()), row.program_phase)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[CaseloadRow], Any]
    descending_first: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("team", "Team", lambda r: r.team.casefold()),
    Column("school", "School", lambda r: r.school.casefold()),
    Column("phase", "Program phase", _phase_place),
    Column("condition", "Condition", _condition_place),
    Column("state", "Stage", lambda r: _place(CYCLE_STATES, r.state)),
    Column("days_in_state", "Days in stage", lambda r: r.days_in_state, descending_first=True),
    Column("owed", "Still owed", lambda r: len(r.owed), descending_first=True),
    Column("overdue", "Overdue actions", lambda r: len(r.overdue_items), descending_first=True),
    Column("last_activity", "Last activity", lambda r: r.last_activity),
    Column("last_checkin", "Last check-in", lambda r: r.last_checkin),
    Column("flags", "Flags", lambda r: len(r.flags), descending_first=True),
)


def sort_rows(rows: Sequence[CaseloadRow], query: CaseloadQuery) -> list[CaseloadRow]:
    """Rows in the asked order; ties keep worst first, and blanks go last either way."""
    column = next((c for c in COLUMNS if c.key == query.sort), None)
    if column is None:
        return list(rows)
    key = column.sort_key
    known = [r for r in rows if key(r) is not None]
    blank = [r for r in rows if key(r) is None]
    return sorted(known, key=key, reverse=query.descending) + blank


def matches(row: CaseloadRow, query: CaseloadQuery) -> bool:
    return (
        (query.flag is None or query.flag in row.flags)
        and (query.condition is None or row.condition == query.condition)
        and (query.state is None or row.state == query.state)
        and (query.phase is None or row.program_phase == query.phase)
    )
