"""A program's outcomes between two survey waves: "improved in k of 7 conditions", and efficacy.

For each scale, only schools with an unsuppressed score in both waves are compared. A condition
improved program-wide when the mean of its schools' changes is above zero; for efficacy, the
figure is the share of compared schools whose score went up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.errors import InvalidRequest, NotFound
from service.store.models import Program, School, SurveyResponse
from service.surveys.instruments import EFFICACY
from service.surveys.registry import registered_instruments
from service.surveys.scoring import DEFAULT_MIN_N, Change, Scorer, WaveScores, accumulate, changes

STREAM_BATCH = 2000
Responses = list[ColumnElement[bool]]
"""The conditions that pick the responses scored together."""


@dataclass(frozen=True)
class ScaleOutcome:
    scale: str
    schools_compared: int
    schools_improved: int
    mean_change: float | None
    improved: bool


@dataclass(frozen=True)
class EfficacyOutcome:
    schools_compared: int
    schools_increased: int
    percent_increased: float | None
    mean_change: float | None


@dataclass(frozen=True)
class SchoolRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ProgramOutcomes:
    program_id: int
    from_wave: str
    to_wave: str
    min_n: int
    conditions: list[ScaleOutcome]
    efficacy: EfficacyOutcome
    other_scales: list[ScaleOutcome]
    """Scales of a program's own instruments that are neither a condition nor efficacy."""
    changes: list[Change]
    schools: dict[int, SchoolRef]

    @property
    def conditions_improved(self) -> int:
        return sum(c.improved for c in self.conditions)


def program_waves(*, session: Session, program_id: int) -> list[str]:
    """The labels of the waves with responses in the program, in order."""
    return list(
        session.exec(
            select(SurveyResponse.wave)
            .where(SurveyResponse.program_id == program_id)
            .distinct()
            .order_by(col(SurveyResponse.wave))
        ).all()
    )


def _scorers(*, session: Session, wave: str, responses: Responses) -> dict[str, Scorer]:
    """A scorer per instrument answered in the wave; two instruments may not share a scale."""
    names = session.exec(select(SurveyResponse.instrument).where(*responses).distinct()).all()
    scorers = {
        name: Scorer(instrument)
        for name, instrument in registered_instruments(session=session, names=set(names)).items()
    }
    measured_by: dict[str, str] = {}
    for name, scorer in sorted(scorers.items()):
        for scale in scorer.scales:
            other = measured_by.setdefault(scale, name)
            if other != name:
                raise InvalidRequest(
                    f"wave {wave!r} has responses to {other!r} and {name!r}, which both measure "
                    f"{scale!r}; import one of them under another wave label"
                )
    return scorers


def wave_scores(
    *, session: Session, program_id: int, wave: str, school_id: int | None = None
) -> WaveScores:
    """Every school's statistics per scale in one wave (or one school's), streamed."""
    responses: Responses = [SurveyResponse.program_id == program_id, SurveyResponse.wave == wave]
    if school_id is not None:
        responses.append(SurveyResponse.school_id == school_id)
    scorers = _scorers(session=session, wave=wave, responses=responses)
    rows = session.exec(
        select(SurveyResponse.school_id, SurveyResponse.instrument, SurveyResponse.answers)
        .where(*responses)
        .execution_options(yield_per=STREAM_BATCH)
    )
    return accumulate(rows, scorers)


def scale_outcome(scale: str, school_changes: Sequence[Change]) -> ScaleOutcome:
    """One scale across the program; suppressed school-scales are left out."""
    values = [c.change for c in school_changes if c.scale == scale and c.change is not None]
    mean = fmean(values) if values else None
    return ScaleOutcome(
        scale=scale,
        schools_compared=len(values),
        schools_improved=sum(v > 0 for v in values),
        mean_change=mean,
        improved=mean is not None and mean > 0,
    )


def _efficacy(school_changes: Sequence[Change]) -> EfficacyOutcome:
    overall = scale_outcome(EFFICACY, school_changes)
    compared = overall.schools_compared
    return EfficacyOutcome(
        schools_compared=compared,
        schools_increased=overall.schools_improved,
        percent_increased=round(100 * overall.schools_improved / compared, 1) if compared else None,
        mean_change=overall.mean_change,
    )


def program_outcomes(
    *,
    session: Session,
    program_id: int,
    from_wave: str,
    to_wave: str,
    min_n: int = DEFAULT_MIN_N,
    conditions: Sequence[str] | None = None,
) -> ProgramOutcomes:
    """The program's outcomes between two waves; conditions default to the content pack's."""
    if session.get(Program, program_id) is None:
        raise NotFound("program", program_id)
    known = program_waves(session=session, program_id=program_id)
    for wave in (from_wave, to_wave):
        if wave not in known:
            listed = ", ".join(known) or "none yet"
            raise InvalidRequest(
                f"program {program_id} has no survey responses in wave {wave!r} (waves: {listed})"
            )
    if from_wave == to_wave:
        raise InvalidRequest("compare two different waves")
    conditions = list(conditions or get_catalog().content.condition_slugs)
    school_changes = changes(
        wave_scores(session=session, program_id=program_id, wave=from_wave),
        wave_scores(session=session, program_id=program_id, wave=to_wave),
        min_n=min_n,
    )
    others = sorted({c.scale for c in school_changes} - {*conditions, EFFICACY})
    schools = session.exec(
        select(School.id, School.code, School.name).where(School.program_id == program_id)
    ).all()
    return ProgramOutcomes(
        program_id=program_id,
        from_wave=from_wave,
        to_wave=to_wave,
        min_n=min_n,
        conditions=[scale_outcome(c, school_changes) for c in conditions],
        efficacy=_efficacy(school_changes),
        other_scales=[scale_outcome(s, school_changes) for s in others],
        changes=school_changes,
        schools={id_: SchoolRef(id_, code, name) for id_, code, name in schools if id_},
    )
