"""What a school's profile shows: its score on every scale wave over wave, and when its teams
launched their tests, so a reader sees change next to what was tried.

A score below `min_n` respondents is suppressed: the profile keeps only its n, never a value,
so neither the table nor the charts can show one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from service.errors import NotFound
from service.store.models import HistoryEvent, School, SurveyResponse, Team, WorkflowInstance
from service.surveys.instruments import EFFICACY
from service.surveys.outcomes import wave_scores
from service.surveys.registry import registered_instruments
from service.surveys.scoring import DEFAULT_MIN_N, SchoolScore, school_score
from service.web.charts import Marker, Series, Tick, trend_chart
from service.web.pages.cycle_view import condition_titles
from service.web.pages.survey_waves import DatedWave, dated_waves, scale_title

LAUNCH_TRIGGER = "launch_test"
DEFAULT_RANGE = (1, 5)


def profile_path(school_id: int) -> str:
    return f"/schools/{school_id}/profile"


@dataclass(frozen=True)
class ScoreCell:
    wave: DatedWave
    score: SchoolScore
    min_n: int

    @property
    def text(self) -> str:
        """The score to two decimals, or why there is none (never a suppressed value)."""
        if self.score.n == 0:
            return "no responses"
        if self.score.mean is None:
            return f"suppressed (n < {self.min_n})"
        return f"{self.score.mean:.2f}"


@dataclass(frozen=True)
class ScaleRow:
    scale: str
    title: str
    cells: tuple[ScoreCell, ...]


@dataclass(frozen=True)
class Launch:
    """A team of the school launching the test of a cycle on a condition."""

    on: dt.date
    condition: str
    title: str
    team: str


@dataclass(frozen=True)
class SchoolProfile:
    school_id: int
    program_id: int
    name: str
    code: str
    min_n: int
    waves: list[DatedWave]
    rows: list[ScaleRow]
    launches: list[Launch]
    score_range: tuple[int, int]


def school_launches(*, session: Session, school_id: int) -> list[Launch]:
    """Every test a team of the school launched, oldest first, with the cycle's condition."""
    rows = session.exec(
        select(HistoryEvent.at, WorkflowInstance.condition, Team.name)
        .join(WorkflowInstance, col(WorkflowInstance.id) == HistoryEvent.instance_id)
        .join(Team, col(Team.id) == WorkflowInstance.team_id)
        .where(Team.school_id == school_id, HistoryEvent.trigger == LAUNCH_TRIGGER)
        .order_by(col(HistoryEvent.at), col(HistoryEvent.id))
    ).all()
    titles = condition_titles()
    return [
        Launch(at.date(), condition or "", titles.get(condition or "", condition or ""), team)
        for at, condition, team in rows
    ]


def _score_range(*, session: Session, school_id: int) -> tuple[int, int]:
    """The widest response scale of the instruments the school answered (1 to 5 by default)."""
    names = session.exec(
        select(SurveyResponse.instrument).where(SurveyResponse.school_id == school_id).distinct()
    ).all()
    scales = [i.scale for i in registered_instruments(session=session, names=set(names)).values()]
    if not scales:
        return DEFAULT_RANGE
    return min(s.min for s in scales), max(s.max for s in scales)


def school_profile(
    *, session: Session, school_id: int, min_n: int = DEFAULT_MIN_N
) -> SchoolProfile:
    """The school's scores per scale in each wave it answered, and its teams' launches."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("school", school_id)
    waves = dated_waves(session=session, program_id=school.program_id, school_id=school_id)
    stats = [
        wave_scores(
            session=session, program_id=school.program_id, wave=w.label, school_id=school_id
        )
        for w in waves
    ]
    measured = {scale for wave in stats for _, scale in wave}
    scales = [*condition_titles(), EFFICACY]
    scales += sorted(measured - set(scales))
    rows = [
        ScaleRow(
            scale,
            scale_title(scale),
            tuple(
                ScoreCell(wave, school_score(found.get((school_id, scale)), min_n=min_n), min_n)
                for wave, found in zip(waves, stats, strict=True)
            ),
        )
        for scale in scales
    ]
    return SchoolProfile(
        school_id=school_id,
        program_id=school.program_id,
        name=school.name,
        code=school.code,
        min_n=min_n,
        waves=waves,
        rows=rows,
        launches=school_launches(session=session, school_id=school_id),
        score_range=_score_range(session=session, school_id=school_id),
    )


def _series(row: ScaleRow) -> Series:
    return Series(row.title, [(c.wave.ended_on, c.score.mean) for c in row.cells])


def _trend(
    profile: SchoolProfile, rows: list[ScaleRow], *, chart_id: str, what: str
) -> Markup | None:
    """A trend of `rows` with every launch marked; None while the school has no survey data."""
    if not profile.waves:
        return None
    launches = "; ".join(f"{x.title} on {x.on.isoformat()}" for x in profile.launches)
    low, high = profile.score_range
    return trend_chart(
        [_series(row) for row in rows],
        chart_id=chart_id,
        title=f"{profile.name}: {what} by wave, with tests launched",
        description=(
            f"Mean score of {profile.name}'s respondents in each survey wave, on a scale from "
            f"{low} to {high}; a score with fewer than {profile.min_n} respondents is suppressed "
            "and not drawn. "
            + (f"Tests launched: {launches}." if launches else "No team has launched a test yet.")
        ),
        y_range=(low, high),
        y_label="Mean score",
        x_ticks=[Tick(w.ended_on, w.label) for w in profile.waves],
        markers=[Marker(x.on, x.title) for x in profile.launches],
    )


def profile_context(profile: SchoolProfile) -> dict[str, Any]:
    """The profile's tables and its two trend charts (conditions, and efficacy)."""
    efficacy = [row for row in profile.rows if row.scale == EFFICACY]
    others = [row for row in profile.rows if row.scale != EFFICACY]

    return {
        "profile": profile,
        "condition_rows": others,
        "efficacy_rows": efficacy,
        "conditions_chart": _trend(
            profile, others, chart_id="condition-trend-chart", what="condition scores"
        ),
        "efficacy_chart": _trend(
            profile, efficacy, chart_id="efficacy-trend-chart", what="educator efficacy"
        ),
    }
