"""Choosing a team's first or next condition, beside its self-assessment and survey scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.errors import InvalidRequest
from service.onboarding import SELF_ASSESSMENT
from service.queries import current_revisions
from service.store.models import WorkflowInstance
from service.surveys.school_scores import latest_school_scores
from service.surveys.suggestions import Suggestion, Suggestions, shown
from service.web.pages.artifact_forms import ArtifactForm, build_form, humanise
from service.web.pages.cycle_view import condition_titles


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
class ScoreLine:
    """One condition's survey score as the team sees it: `score` is None when withheld."""

    title: str
    n: int
    score: float | None
    suggested_as: str | None
    """The basis label ("Greatest need") when the scores suggest this condition."""


@dataclass(frozen=True)
class SurveyScores:
    """The school's latest survey scores; no `wave` means it has no survey data."""

    wave: str | None
    min_n: int
    lines: tuple[ScoreLine, ...]
    notes: tuple[str, ...]
    """Why each condition is suggested (and how a tie was settled), or why none is."""


@dataclass(frozen=True)
class AssessmentDraft:
    """The self-assessment form as submitted, and what was wrong with it."""

    data: Mapping[str, Any]
    errors: Mapping[str, str]
    message: str


@dataclass(frozen=True)
class ChoosePanel:
    conditions: tuple[ConditionChoice, ...]
    bases: tuple[Basis, ...]
    assessed_on: dt.datetime | None
    draft: ChoiceDraft
    survey: SurveyScores
    assessment: ArtifactForm | None = None
    """The form to rate the school, for those who work on the team (unless the page shows
    the onboarding's own self-assessment stage)."""


def self_assessment_path(team_id: int) -> str:
    return f"/teams/{team_id}/self-assessment"


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


def _basis_label(key: str) -> str:
    return bases().get(key, humanise(key))


def _suggestion_note(suggestion: Suggestion, label: str, extreme: str) -> str:
    titles = condition_titles()
    title = titles[suggestion.condition]
    if not suggestion.tied_with:
        return f"{label}: {title}, the {extreme} score ({suggestion.score:.2f})."
    tied = ", ".join(titles[c] for c in suggestion.tied_with)
    return (
        f"{label}: {title}, which shares the {extreme} score ({suggestion.score:.2f}) with "
        f"{tied}; {title} is suggested because it comes first in the playbook's order."
    )


def _suggested(suggestions: Suggestions) -> tuple[dict[str, str], tuple[str, ...]]:
    """The basis label each suggested condition carries, and the notes explaining them."""
    need, strength = suggestions.greatest_need, suggestions.greatest_strength
    if need is None or strength is None:
        return {}, (
            "No condition stands out: fewer than two conditions have a score that can be "
            "shown, or they all score the same.",
        )
    need_label, strength_label = _basis_label("greatest_need"), _basis_label("greatest_strength")
    return {need.condition: need_label, strength.condition: strength_label}, (
        _suggestion_note(need, need_label, "lowest"),
        _suggestion_note(strength, strength_label, "highest"),
    )


def survey_scores(*, session: Session, school_id: int) -> SurveyScores:
    """The school's scores in its latest survey wave, with the conditions they suggest."""
    try:
        scores = latest_school_scores(session=session, school_id=school_id)
    except InvalidRequest as exc:  # two instruments in the wave measure the same condition
        return SurveyScores(wave=None, min_n=0, lines=(), notes=(f"Scores unavailable: {exc}.",))
    suggested, notes = _suggested(scores.suggestions)
    titles = condition_titles()
    return SurveyScores(
        wave=scores.wave,
        min_n=scores.min_n,
        lines=tuple(
            ScoreLine(
                title=titles[line.condition],
                n=line.score.n,
                score=None if line.score.mean is None else shown(line.score.mean),
                suggested_as=suggested.get(line.condition),
            )
            for line in scores.conditions
        ),
        notes=notes if scores.wave is not None else (),
    )


def _assessment_form(
    team_id: int, ratings: list[dict[str, str]], draft: AssessmentDraft | None
) -> ArtifactForm:
    """The self-assessment form, holding the latest ratings (or what was just refused)."""
    return build_form(
        spec=get_catalog().content.artifacts[SELF_ASSESSMENT],
        action=self_assessment_path(team_id),
        id_prefix="self-assessment",
        data=draft.data if draft else {"ratings": ratings},
        conditions=condition_titles(),
        errors=draft.errors if draft else None,
        message=draft.message if draft else None,
    )


def choose_panel(
    *,
    session: Session,
    team_id: int,
    school_id: int,
    offer_assessment: bool,
    draft: ChoiceDraft | None = None,
    assessment: AssessmentDraft | None = None,
) -> ChoosePanel:
    """The seven conditions with the team's ratings on each, its school's scores, and the forms."""
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
        survey=survey_scores(session=session, school_id=school_id),
        assessment=_assessment_form(team_id, ratings, assessment) if offer_assessment else None,
    )
