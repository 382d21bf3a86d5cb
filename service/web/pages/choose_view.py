"""Choosing a team's first or next condition, beside its latest self-assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.queries import current_revisions
from service.store.models import WorkflowInstance
from service.web.pages.artifact_forms import humanise

SELF_ASSESSMENT = "self_assessment"


@dataclass(frozen=True)
class Rating:
    dimension: str
    level: str
    evidence: str


@dataclass(frozen=True)
class ConditionChoice:
    slug: str
    title: str
    order: int
    when_strong: str
    ratings: tuple[Rating, ...]


@dataclass(frozen=True)
class Basis:
    value: str
    label: str
    help: str


@dataclass(frozen=True)
class ChoiceDraft:
    """The choice form as submitted, and what was wrong with it."""

    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChoosePanel:
    conditions: tuple[ConditionChoice, ...]
    bases: tuple[Basis, ...]
    assessed_on: dt.datetime | None
    draft: ChoiceDraft


def bases() -> dict[str, str]:
    """Each basis for a choice (greatest need, greatest strength) and its label."""
    return {key: basis.label for key, basis in get_catalog().content.onboarding.bases.items()}


def latest_ratings(
    *, session: Session, team_id: int
) -> tuple[list[dict[str, str]], dt.datetime | None]:
    """The ratings in the team's latest saved self-assessment, and when it was saved."""
    onboardings = session.exec(
        select(WorkflowInstance.id, WorkflowInstance.iteration)
        .where(WorkflowInstance.team_id == team_id, WorkflowInstance.kind == "onboarding")
        .order_by(col(WorkflowInstance.id).desc())
    ).all()
    for instance_id, iteration in onboardings:
        assert instance_id is not None
        rows = current_revisions(
            session=session, instance_id=instance_id, iteration=iteration, kind=SELF_ASSESSMENT
        )
        if rows:
            ratings = rows[-1].body.get("ratings") or []
            return [r for r in ratings if isinstance(r, dict)], rows[-1].created_at
    return [], None


def choose_panel(
    *, session: Session, team_id: int, draft: ChoiceDraft | None = None
) -> ChoosePanel:
    """The seven conditions with the team's ratings on each, and the choice form."""
    content = get_catalog().content
    ratings, assessed_on = latest_ratings(session=session, team_id=team_id)
    conditions = tuple(
        ConditionChoice(
            slug=slug,
            title=content.conditions[slug].title,
            order=content.conditions[slug].order,
            when_strong=content.conditions[slug].when_strong,
            ratings=tuple(
                Rating(
                    dimension=str(r.get("dimension") or ""),
                    level=humanise(str(r.get("level") or "not rated")),
                    evidence=str(r.get("evidence") or ""),
                )
                for r in ratings
                if r.get("condition") == slug
            ),
        )
        for slug in content.condition_slugs
    )
    return ChoosePanel(
        conditions=conditions,
        bases=tuple(
            Basis(key, basis.label, basis.help) for key, basis in content.onboarding.bases.items()
        ),
        assessed_on=assessed_on,
        draft=draft or ChoiceDraft(),
    )
