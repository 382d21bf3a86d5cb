"""The outcomes report as the API and the command line both give it: one schema, one CSV."""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel

from service.surveys.instruments import EFFICACY
from service.surveys.outcomes import ProgramOutcomes, ScaleOutcome
from service.surveys.scoring import Change

DECIMALS = 3


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


class ConditionOut(BaseModel):
    condition: str
    schools_compared: int
    schools_improved: int
    mean_change: float | None
    improved: bool


class ScaleOut(BaseModel):
    scale: str
    schools_compared: int
    schools_improved: int
    mean_change: float | None
    improved: bool


class EfficacyOut(BaseModel):
    schools_compared: int
    schools_increased: int
    percent_increased: float | None
    mean_change: float | None


class SchoolChangeOut(BaseModel):
    """One school-scale; means and change are null when suppressed (fewer than min_n)."""

    school_id: int
    school_code: str
    school_name: str
    scale: str
    from_n: int
    from_mean: float | None
    to_n: int
    to_mean: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class OutcomesOut(BaseModel):
    program_id: int
    from_wave: str
    to_wave: str
    min_n: int
    conditions: list[ConditionOut]
    conditions_improved: int
    conditions_total: int
    efficacy: EfficacyOut
    other_scales: list[ScaleOut]
    schools: list[SchoolChangeOut]


def _scale(outcome: ScaleOutcome) -> ScaleOut:
    return ScaleOut(
        scale=outcome.scale,
        schools_compared=outcome.schools_compared,
        schools_improved=outcome.schools_improved,
        mean_change=_rounded(outcome.mean_change),
        improved=outcome.improved,
    )


def _school_change(outcomes: ProgramOutcomes, change: Change) -> SchoolChangeOut:
    school = outcomes.schools[change.school_id]
    return SchoolChangeOut(
        school_id=school.id,
        school_code=school.code,
        school_name=school.name,
        scale=change.scale,
        from_n=change.before.n,
        from_mean=_rounded(change.before.mean),
        to_n=change.after.n,
        to_mean=_rounded(change.after.mean),
        change=_rounded(change.change),
        ci_low=_rounded(change.ci_low),
        ci_high=_rounded(change.ci_high),
        suppressed=change.suppressed,
    )


def outcomes_out(outcomes: ProgramOutcomes) -> OutcomesOut:
    """The report: figures rounded to 3 decimals, percentages to 1."""
    efficacy = outcomes.efficacy
    return OutcomesOut(
        program_id=outcomes.program_id,
        from_wave=outcomes.from_wave,
        to_wave=outcomes.to_wave,
        min_n=outcomes.min_n,
        conditions=[
            ConditionOut(condition=c.scale, **_scale(c).model_dump(exclude={"scale"}))
            for c in outcomes.conditions
        ],
        conditions_improved=outcomes.conditions_improved,
        conditions_total=len(outcomes.conditions),
        efficacy=EfficacyOut(
            schools_compared=efficacy.schools_compared,
            schools_increased=efficacy.schools_increased,
            percent_increased=efficacy.percent_increased,
            mean_change=_rounded(efficacy.mean_change),
        ),
        other_scales=[_scale(s) for s in outcomes.other_scales],
        schools=[_school_change(outcomes, c) for c in outcomes.changes],
    )


CSV_COLUMNS = (
    "scale",
    "kind",
    "schools_compared",
    "schools_improved",
    "mean_change",
    "improved",
    "percent_improved",
)


def _csv_row(scale: ScaleOut, kind: str, percent: float | None = None) -> list[object]:
    cells = (scale.scale, kind, scale.schools_compared, scale.schools_improved)
    return ["" if v is None else v for v in (*cells, scale.mean_change, scale.improved, percent)]


def outcomes_csv(report: OutcomesOut) -> str:
    """One row per scale: the seven conditions, efficacy, then any other scale."""
    e = report.efficacy
    efficacy = ScaleOut(
        scale=EFFICACY,
        schools_compared=e.schools_compared,
        schools_improved=e.schools_increased,
        mean_change=e.mean_change,
        improved=e.mean_change is not None and e.mean_change > 0,
    )
    conditions = [
        ScaleOut(scale=c.condition, **c.model_dump(exclude={"condition"}))
        for c in report.conditions
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(c, "condition") for c in conditions)
    writer.writerow(_csv_row(efficacy, "efficacy", e.percent_increased))
    writer.writerows(_csv_row(s, "other") for s in report.other_scales)
    return out.getvalue()
