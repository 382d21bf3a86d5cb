"""The caseload's query string: which teams a coach asked to see, in which order, which page.

The query string is the page's whole state (filters, sort and page), so every view of the
caseload is a link a coach can bookmark, and the page works without JavaScript. Values the
page does not know (a hand-edited link) are ignored rather than refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from service.caseload import CYCLE_STATES, FLAGS, CaseloadFilters, Flag
from service.catalog import get_catalog
from service.web.pages.paging import PAGE_SIZE, parse_window, window_params

CASELOAD = "/coach/caseload"


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

    @property
    def filters(self) -> CaseloadFilters:
        return CaseloadFilters(self.flag, self.condition, self.state, self.phase)

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
        params |= window_params(query)
        return f"{CASELOAD}?{urlencode(params)}" if params else CASELOAD


def _known(value: str, allowed: Sequence[str]) -> str | None:
    return value if value in allowed else None


def parse_query(params: Mapping[str, str]) -> CaseloadQuery:
    """The query a coach asked for in the query string, keeping only values the page knows."""
    flag = params.get("flag", "")
    window = parse_window(params)
    return CaseloadQuery(
        flag=next((f for f in FLAGS if f == flag), None),
        condition=_known(params.get("condition", ""), get_catalog().content.condition_slugs),
        state=_known(params.get("state", ""), CYCLE_STATES),
        phase=_known(params.get("phase", ""), list(phase_titles())),
        sort=_known(params.get("sort", ""), [c.key for c in COLUMNS]),
        descending=params.get("dir") == "desc",
        limit=window.limit,
        offset=window.offset,
    )


def phase_titles() -> dict[str, str]:
    """Each program phase's state and title, in the order a school goes through them."""
    return {name: p.title for name, p in get_catalog().content.program_phases.phases.items()}


@dataclass(frozen=True)
class Column:
    key: str
    """What the caseload sorts by (one of `service.caseload.SORTS`)."""
    label: str
    descending_first: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("team", "Team"),
    Column("school", "School"),
    Column("phase", "Program phase"),
    Column("condition", "Condition"),
    Column("state", "Stage"),
    Column("days_in_state", "Days in stage", descending_first=True),
    Column("owed", "Still owed", descending_first=True),
    Column("overdue", "Overdue actions", descending_first=True),
    Column("last_activity", "Last activity"),
    Column("last_checkin", "Last check-in"),
    Column("flags", "Flags", descending_first=True),
)
