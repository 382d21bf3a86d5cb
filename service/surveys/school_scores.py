"""One school's scores in its latest survey wave, condition by condition, with suggestions.

The latest wave is the one whose most recent administration is the latest (by label when two
end on the same day), so custom wave labels need not sort by date. Suppression applies as
everywhere else: below `min_n` respondents a score has no value, only its n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.errors import NotFound
from service.store.models import School, SurveyResponse
from service.surveys.outcomes import wave_scores
from service.surveys.scoring import DEFAULT_MIN_N, SchoolScore, school_score
from service.surveys.suggestions import Suggestions, suggest


@dataclass(frozen=True)
class ConditionScore:
    condition: str
    score: SchoolScore


@dataclass(frozen=True)
class SchoolWaveScores:
    """A school's condition scores in one wave; `wave` is None when it has no survey data."""

    school_id: int
    wave: str | None
    min_n: int
    conditions: tuple[ConditionScore, ...]
    suggestions: Suggestions


def latest_wave(*, session: Session, school_id: int) -> str | None:
    """The wave of the school's most recent survey administration, if it has any."""
    latest = func.max(SurveyResponse.administered_on)
    return session.exec(
        select(SurveyResponse.wave)
        .where(SurveyResponse.school_id == school_id)
        .group_by(col(SurveyResponse.wave))
        .order_by(latest.desc(), col(SurveyResponse.wave).desc())
        .limit(1)
    ).first()


def latest_school_scores(
    *,
    session: Session,
    school_id: int,
    min_n: int = DEFAULT_MIN_N,
    conditions: Sequence[str] | None = None,
) -> SchoolWaveScores:
    """The school's score on each condition (the content pack's, in order) in its latest wave."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("school", school_id)
    conditions = list(conditions or get_catalog().content.condition_slugs)
    wave = latest_wave(session=session, school_id=school_id)
    stats = (
        wave_scores(session=session, program_id=school.program_id, wave=wave, school_id=school_id)
        if wave is not None
        else {}
    )
    scores = tuple(
        ConditionScore(c, school_score(stats.get((school_id, c)), min_n=min_n)) for c in conditions
    )
    return SchoolWaveScores(
        school_id=school_id,
        wave=wave,
        min_n=min_n,
        conditions=scores,
        suggestions=suggest([(s.condition, s.score.mean) for s in scores]),
    )
