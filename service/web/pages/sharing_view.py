"""What the team page shows about sharing its cycle, and the program's page of shared cycles.

The service judges whether a pass is finished when the team shares; the page only offers the
button where a pass may be finished (a complete decision in `decide`, a revisited or a closed
cycle), so a team is not shown a button that can only be refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session, select

from engine.workflow import StageView
from service.catalog import get_catalog
from service.sharing import DOCUMENTS, SharedCycleRow, SharedPage
from service.store.models import Person, SharedCycle
from service.web.pages.artifact_display import ShownField, shown_fields
from service.web.pages.cycle_view import condition_titles
from service.web.pages.flash import Flash
from service.web.pages.paging import Paging

SHARING_TARGET = "sharing"
PAGE_SIZE = 10


def shared_path(program_id: int) -> str:
    return f"/programs/{program_id}/shared"


def share_path(cycle_id: int) -> str:
    return f"/cycles/{cycle_id}/share"


def unshare_path(cycle_id: int) -> str:
    return f"/cycles/{cycle_id}/unshare"


@dataclass(frozen=True)
class SharingPanel:
    """Whether the cycle is shared, and (for those who work on it) the button to change that."""

    cycle_id: int
    shared_at: dt.datetime | None
    shared_by: str | None
    finished: bool
    """A pass may be finished, so the team is offered the button."""
    share_action: str | None
    unshare_action: str | None
    browse_href: str
    refused: tuple[str, ...]


def may_be_finished(view: StageView) -> bool:
    """A closed or revisited cycle, or one in `decide` with its decision complete."""
    if view.final or view.iteration > 1:
        return True
    decision = next((a for a in view.required if a.kind == "decision"), None)
    return view.state == "decide" and decision is not None and decision.status == "complete"


def sharing_panel(
    *,
    session: Session,
    cycle_id: int,
    view: StageView,
    program_id: int,
    condition: str | None,
    can_work: bool,
    flash: Flash | None,
) -> SharingPanel:
    """The panel, with a link to what other teams shared on the same condition."""
    row = session.exec(
        select(SharedCycle.created_at, Person.name)
        .join(Person, Person.id == SharedCycle.shared_by)  # type: ignore[arg-type]
        .where(SharedCycle.instance_id == cycle_id)
    ).first()
    shared_at, shared_by = row if row is not None else (None, None)
    finished = may_be_finished(view)
    refused = flash is not None and flash.kind == "refused" and flash.target == SHARING_TARGET
    return SharingPanel(
        cycle_id=cycle_id,
        shared_at=shared_at,
        shared_by=shared_by,
        finished=finished,
        share_action=share_path(cycle_id) if can_work and row is None and finished else None,
        unshare_action=unshare_path(cycle_id) if can_work and row is not None else None,
        browse_href=listing_href(program_id, condition, 1),
        refused=flash.reasons if refused and flash is not None else (),
    )


@dataclass(frozen=True)
class SharedDocument:
    kind: str
    title: str
    shown: tuple[ShownField, ...]
    """Empty when the team never wrote it in that pass."""


@dataclass(frozen=True)
class SharedEntry:
    cycle_id: int
    team: str
    school: str
    condition: str
    shared_at: dt.datetime
    shared_by: str
    iteration: int
    documents: tuple[SharedDocument, ...]


def parse_listing(params: Mapping[str, str]) -> tuple[str | None, int]:
    """The condition asked for (None for all, or one the page does not know) and the page."""
    condition = params.get("condition", "")
    raw = params.get("page", "")
    page = min(int(raw), 100_000) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1
    return (condition if condition in condition_titles() else None), max(page, 1)


def listing_href(program_id: int, condition: str | None, page: int) -> str:
    params: dict[str, str | int] = {}
    if condition:
        params["condition"] = condition
    if page > 1:
        params["page"] = page
    base = shared_path(program_id)
    return f"{base}?{urlencode(params)}" if params else base


def _entry(row: SharedCycleRow, titles: Mapping[str, str]) -> SharedEntry:
    specs = get_catalog().content.artifacts
    return SharedEntry(
        cycle_id=row.cycle_id,
        team=row.team,
        school=row.school,
        condition=titles.get(row.condition or "", row.condition or "No condition"),
        shared_at=row.shared_at,
        shared_by=row.shared_by,
        iteration=row.iteration,
        documents=tuple(
            SharedDocument(
                kind,
                specs[kind].title,
                shown_fields(specs[kind], body, titles) if (body := getattr(row, kind)) else (),
            )
            for kind in DOCUMENTS
        ),
    )


def listing_context(
    *, program_id: int, found: SharedPage, condition: str | None, page: int
) -> dict[str, object]:
    """The shared page's context: the rows of one page, the filter and the links between pages."""
    titles = condition_titles()
    first = (page - 1) * PAGE_SIZE + 1
    last = min(first + len(found.rows) - 1, found.total)
    return {
        "conditions": titles,
        "condition": condition,
        "entries": tuple(_entry(row, titles) for row in found.rows),
        "paging": Paging(
            total=found.total,
            first=first,
            last=last,
            previous_href=listing_href(program_id, condition, page - 1)
            if page > 1 and found.rows
            else None,
            next_href=listing_href(program_id, condition, page + 1)
            if found.total > page * PAGE_SIZE
            else None,
        ),
        "clear_href": shared_path(program_id),
        "first_href": listing_href(program_id, condition, 1),
    }
