"""Survey waves in time order, and the titles of the scales they score, for the survey pages.

A wave sits on a time axis at its last day of administration; waves are ordered by that
day (then by label), so a program's own wave labels need not sort by date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.store.models import SurveyResponse
from service.surveys.instruments import EFFICACY
from service.web.pages.cycle_view import condition_titles

EFFICACY_TITLE = "Educator efficacy"


@dataclass(frozen=True)
class DatedWave:
    label: str
    ended_on: dt.date
    """The last day any response of the wave was administered (at the school, for one school)."""


def dated_waves(
    *, session: Session, program_id: int, school_id: int | None = None
) -> list[DatedWave]:
    """The program's waves (or those one school answered), oldest first."""
    ended = func.max(SurveyResponse.administered_on)
    query = select(SurveyResponse.wave, ended).where(SurveyResponse.program_id == program_id)
    if school_id is not None:
        query = query.where(SurveyResponse.school_id == school_id)
    rows = session.exec(
        query.group_by(col(SurveyResponse.wave)).order_by(ended, col(SurveyResponse.wave))
    ).all()
    return [DatedWave(label, ended_on) for label, ended_on in rows]


def scale_title(scale: str) -> str:
    """A condition's title, `Educator efficacy`, or a program's own scale name made readable."""
    if scale == EFFICACY:
        return EFFICACY_TITLE
    return condition_titles().get(scale) or scale.replace("-", " ").capitalize()
