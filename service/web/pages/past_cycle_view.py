"""A team's earlier cycles: the list on its team page, and what one of them produced.

Once a team moves on, its finished cycle leaves the team page (which shows the cycle under
way). These keep it within reach: to reread what the team wrote, and to share it later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.queries import current_revisions
from service.store.models import SharedCycle, WorkflowInstance
from service.web.pages.artifact_display import ShownField, shown_fields


def cycle_path(cycle_id: int) -> str:
    return f"/cycles/{cycle_id}"


@dataclass(frozen=True)
class EarlierCycle:
    """One of the team's cycles other than the one its page shows."""

    cycle_id: int
    condition: str
    started_on: dt.date
    closed_on: dt.date | None
    """When it closed; None for one still open (a team may have left it in another state)."""
    iterations: int
    shared: bool

    @property
    def href(self) -> str:
        return cycle_path(self.cycle_id)


def earlier_cycles(
    *, session: Session, team_id: int, shown_id: int | None, titles: Mapping[str, str]
) -> tuple[EarlierCycle, ...]:
    """The team's cycles, newest first, except the one its page already shows (one query)."""
    shared = select(func.count()).where(SharedCycle.instance_id == WorkflowInstance.id)
    query = (
        select(
            WorkflowInstance.id,
            WorkflowInstance.condition,
            WorkflowInstance.created_at,
            WorkflowInstance.state,
            WorkflowInstance.entered_at,
            WorkflowInstance.iteration,
            shared.scalar_subquery(),
        )
        .where(WorkflowInstance.team_id == team_id, WorkflowInstance.kind == "cycle")
        .order_by(col(WorkflowInstance.id).desc())
    )
    if shown_id is not None:
        query = query.where(WorkflowInstance.id != shown_id)
    return tuple(
        EarlierCycle(
            cycle_id=cycle_id,
            condition=titles.get(condition or "", condition or "No condition"),
            started_on=created_at.date(),
            closed_on=entered_at.date() if state == "closed" else None,
            iterations=iteration,
            shared=bool(shares),
        )
        for cycle_id, condition, created_at, state, entered_at, iteration, shares in session.exec(
            query
        )
        if cycle_id is not None
    )


@dataclass(frozen=True)
class WrittenDocument:
    """A document of the cycle's last pass as it was last saved; records are one each."""

    kind: str
    title: str
    revision: int
    saved_at: dt.datetime
    shown: tuple[ShownField, ...]


def written_documents(
    *, session: Session, instance_id: int, iteration: int, titles: Mapping[str, str]
) -> tuple[WrittenDocument, ...]:
    """Every document of the pass, in the order the guide asks for them."""
    specs = get_catalog().content.artifacts
    order = {kind: place for place, kind in enumerate(specs)}
    rows = current_revisions(session=session, instance_id=instance_id, iteration=iteration)
    rows.sort(key=lambda row: (order.get(row.kind, len(order)), row.item))
    numbered: dict[str, int] = {}
    documents = []
    for row in rows:
        spec = specs[row.kind]
        title = spec.title
        if spec.repeatable:
            numbered[row.kind] = numbered.get(row.kind, 0) + 1
            title = f"{spec.title} {numbered[row.kind]}"
        documents.append(
            WrittenDocument(
                kind=row.kind,
                title=title,
                revision=row.revision,
                saved_at=row.created_at,
                shown=shown_fields(spec, row.body, titles),
            )
        )
    return tuple(documents)
