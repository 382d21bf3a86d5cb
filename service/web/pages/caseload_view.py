"""What the caseload page shows: a coach's teams filtered, sorted and paged, in readable words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.caseload import CYCLE_STATES, FLAGS, CaseloadPage, CaseloadRow, Flag, OverdueItem
from service.catalog import get_catalog
from service.web.diagram_svg import state_label
from service.web.pages.caseload_query import COLUMNS, CaseloadQuery, phase_titles
from service.web.pages.cycle_view import condition_titles
from service.web.pages.paging import PAGE_SIZE, paging

FLAG_LABELS: dict[Flag, str] = {
    "stalled": "Stalled",
    "overdue": "Overdue",
    "checkin_due": "Check-in due",
}


@dataclass(frozen=True)
class Header:
    label: str
    href: str
    aria_sort: str | None
    sort_hint: str


@dataclass(frozen=True)
class CaseloadLine:
    """One team's row, in the words the page shows."""

    team_id: int
    team: str
    school: str
    phase: str | None
    condition: str | None
    state: str | None
    days_in_state: int | None
    owed: tuple[str, ...]
    overdue: tuple[OverdueItem, ...]
    last_activity: dt.date | None
    last_checkin: dt.date | None
    flags: tuple[tuple[Flag, str], ...]


@dataclass(frozen=True)
class FlagCount:
    flag: Flag
    label: str
    count: int
    href: str
    current: bool


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: tuple[Choice, ...]
    selected: str


def line(row: CaseloadRow, titles: Mapping[str, str], phases: Mapping[str, str]) -> CaseloadLine:
    artifacts = get_catalog().content.artifacts
    return CaseloadLine(
        team_id=row.team_id,
        team=row.team,
        school=row.school,
        phase=phases.get(row.program_phase or "", row.program_phase),
        condition=titles.get(row.condition or "", row.condition),
        state=state_label(row.state) if row.state else None,
        days_in_state=row.days_in_state,
        owed=tuple(artifacts[k].title if k in artifacts else k for k in row.owed),
        overdue=tuple(row.overdue_items),
        last_activity=row.last_activity.date() if row.last_activity else None,
        last_checkin=row.last_checkin,
        flags=tuple((f, FLAG_LABELS[f]) for f in row.flags),
    )


def headers(query: CaseloadQuery) -> tuple[Header, ...]:
    """Column headers; each links to sorting by it (first click its natural way, then flips)."""
    result = []
    for column in COLUMNS:
        current = column.key == query.sort
        descending = not query.descending if current else column.descending_first
        result.append(
            Header(
                label=column.label,
                href=query.href(sort=column.key, descending=descending, offset=0),
                aria_sort=("descending" if query.descending else "ascending") if current else None,
                sort_hint=f"sort {'descending' if descending else 'ascending'}",
            )
        )
    return tuple(result)


def filters(query: CaseloadQuery) -> tuple[Filter, ...]:
    states = tuple(Choice(s, state_label(s)) for s in CYCLE_STATES)
    return (
        Filter("flag", "Flag", tuple(Choice(f, FLAG_LABELS[f]) for f in FLAGS), query.flag or ""),
        Filter(
            "condition",
            "Condition",
            tuple(Choice(slug, title) for slug, title in condition_titles().items()),
            query.condition or "",
        ),
        Filter("state", "Stage", states, query.state or ""),
        Filter(
            "phase",
            "Program phase",
            tuple(Choice(name, title) for name, title in phase_titles().items()),
            query.phase or "",
        ),
    )


def flag_counts(counts: Mapping[Flag, int], query: CaseloadQuery) -> tuple[FlagCount, ...]:
    """How many teams on the whole caseload carry each flag, each a link to just those teams."""
    return tuple(
        FlagCount(
            flag=flag,
            label=FLAG_LABELS[flag],
            count=counts[flag],
            href=CaseloadQuery(flag=flag).href(),
            current=query.flag == flag,
        )
        for flag in FLAGS
    )


def kept_by_filters(query: CaseloadQuery) -> tuple[tuple[str, str], ...]:
    """What the filter form carries over as hidden fields: the sort and the page size."""
    kept = []
    if query.sort:
        kept += [("sort", query.sort), ("dir", "desc" if query.descending else "asc")]
    if query.limit != PAGE_SIZE:
        kept.append(("limit", str(query.limit)))
    return tuple(kept)


def caseload_context(caseload: CaseloadPage, query: CaseloadQuery) -> dict[str, Any]:
    """The caseload page's context: counts over every team, then the page of rows asked for."""
    titles, phases = condition_titles(), phase_titles()
    sorted_by = next((c.label for c in COLUMNS if c.key == query.sort), None)
    return {
        "query": query,
        "team_count": caseload.teams,
        "counts": flag_counts(caseload.flag_counts, query),
        "filters": filters(query),
        "kept": kept_by_filters(query),
        "filtered": bool(query.filters),
        "headers": headers(query),
        "sorted_by": sorted_by.lower() if sorted_by else None,
        "lines": [line(r, titles, phases) for r in caseload.rows],
        "paging": paging(caseload.total, query, lambda offset: query.href(offset=offset)),
        "worst_first_href": query.href(sort=None, descending=False, offset=0),
        "clear_href": CaseloadQuery(sort=query.sort, descending=query.descending).href(),
    }
