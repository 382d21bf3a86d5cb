"""What the program outcomes page shows: the outcomes report between two waves, in words,
tables and two charts (the mean change per scale, and how school changes spread).

The figures are the API's report (service.surveys.report), so the page, the API, the CSV and
the command line agree; suppressed school-scales are absent from the report's figures and
from the charts, which draw only changes the report computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from service.surveys.instruments import EFFICACY
from service.surveys.outcomes import ProgramOutcomes
from service.surveys.report import OutcomesOut, outcomes_out
from service.web.charts import Bar, Spread, Strip, bar_chart, signed, spread, strip_chart
from service.web.pages.survey_waves import DatedWave, scale_title

MAX_WAVE_LABEL = 50
"""The API's limit on a wave label."""


def outcomes_path(program_id: int, from_wave: str | None = None, to_wave: str | None = None) -> str:
    if from_wave is None or to_wave is None:
        return f"/programs/{program_id}/outcomes"
    return f"/programs/{program_id}/outcomes?{urlencode({'from': from_wave, 'to': to_wave})}"


def csv_path(program_id: int, from_wave: str, to_wave: str) -> str:
    return f"/programs/{program_id}/outcomes.csv?{urlencode({'from': from_wave, 'to': to_wave})}"


@dataclass(frozen=True)
class WaveChoice:
    """The two waves to compare, or why they cannot be (`error`, with the waves as asked)."""

    from_wave: str
    to_wave: str
    error: str | None = None


def choose_waves(params: Mapping[str, str], waves: Sequence[DatedWave]) -> WaveChoice | None:
    """The waves asked for (`from`, `to`), each defaulting to the latest two; None before two."""
    labels = [w.label for w in waves]
    if len(labels) < 2:
        return None
    from_wave = params.get("from") or labels[-2]
    to_wave = params.get("to") or labels[-1]
    for wave in (from_wave, to_wave):
        if wave not in labels:
            shown = wave if len(wave) <= MAX_WAVE_LABEL else wave[:MAX_WAVE_LABEL] + "…"
            error = f"There are no survey responses in a wave called “{shown}”. Pick one below."
            return WaveChoice(from_wave, to_wave, error)
    if from_wave == to_wave:
        return WaveChoice(from_wave, to_wave, "Pick two different waves to compare.")
    return WaveChoice(from_wave, to_wave)


@dataclass(frozen=True)
class ScaleLine:
    """One scale's row in the outcomes table, its change written with its sign."""

    scale: str
    title: str
    schools_compared: int
    schools_improved: int
    mean_change: float | None
    improved: bool

    @property
    def change_text(self) -> str | None:
        """The mean change with its sign, to the report's three decimals."""
        return None if self.mean_change is None else signed(self.mean_change, 3)


@dataclass(frozen=True)
class SpreadLine:
    title: str
    spread: Spread | None

    @property
    def figures(self) -> tuple[str, ...]:
        """Lowest, lower quartile, median, upper quartile and highest change, signed."""
        s = self.spread
        if s is None:
            return ()
        values = (s.low, s.lower_quartile, s.median, s.upper_quartile, s.high)
        return tuple(signed(v, 3) for v in values)


def _line(scale: str, compared: int, improved_schools: int, mean: float | None) -> ScaleLine:
    return ScaleLine(
        scale=scale,
        title=scale_title(scale),
        schools_compared=compared,
        schools_improved=improved_schools,
        mean_change=mean,
        improved=mean is not None and mean > 0,
    )


def _scale_lines(report: OutcomesOut) -> tuple[list[ScaleLine], ScaleLine, list[ScaleLine]]:
    """The conditions, efficacy and any other scale, in the report's order."""
    conditions = [
        _line(c.condition, c.schools_compared, c.schools_improved, c.mean_change)
        for c in report.conditions
    ]
    e = report.efficacy
    efficacy = _line(EFFICACY, e.schools_compared, e.schools_increased, e.mean_change)
    others = [
        _line(s.scale, s.schools_compared, s.schools_improved, s.mean_change)
        for s in report.other_scales
    ]
    return conditions, efficacy, others


def _school_changes(outcomes: ProgramOutcomes, scale: str) -> tuple[list[float], list[str]]:
    """The unsuppressed changes on one scale, with the name of each school."""
    pairs = [
        (c.change, outcomes.schools[c.school_id].name)
        for c in outcomes.changes
        if c.scale == scale and c.change is not None
    ]
    return [value for value, _ in pairs], [name for _, name in pairs]


def outcomes_context(outcomes: ProgramOutcomes) -> dict[str, Any]:
    """The page's figures and charts for one comparison of two waves."""
    report = outcomes_out(outcomes)
    conditions, efficacy, others = _scale_lines(report)
    lines = [*conditions, efficacy, *others]
    between = f"from {report.from_wave} to {report.to_wave}"
    strips = [Strip(line.title, *_school_changes(outcomes, line.scale)) for line in lines]
    bars = [Bar(line.title, line.mean_change) for line in lines]
    bars_text = "; ".join(
        f"{line.title}: {line.change_text or 'no schools compared'}" for line in lines
    )
    return {
        "report": report,
        "conditions": conditions,
        "efficacy": efficacy,
        "others": others,
        "spreads": [SpreadLine(s.label, spread(s.values)) for s in strips],
        "suppressed": sum(c.suppressed for c in outcomes.changes),
        "csv_path": csv_path(report.program_id, report.from_wave, report.to_wave),
        "change_chart": bar_chart(
            bars,
            chart_id="mean-change-chart",
            title=f"Mean change in school scores {between}",
            description=f"Mean of the schools' changes per scale, {between}. {bars_text}.",
            axis_label="Mean change in score (points on the survey scale)",
            missing="no schools compared",
        ),
        "spread_chart": _spread_chart(strips, between),
    }


def _spread_chart(strips: Sequence[Strip], between: str) -> Markup:
    medians = "; ".join(
        f"{s.label}: median {signed(found.median)} across {found.n} schools"
        for s in strips
        if (found := spread(s.values)) is not None
    )
    return strip_chart(
        strips,
        chart_id="school-change-chart",
        title=f"How the schools' changes spread {between}",
        description=(
            "Each dot is one school's change; the box spans the middle half of the schools "
            f"and the line across it is the median. {medians}."
        ),
        axis_label="Change in a school's score (points on the survey scale)",
        missing="no schools compared",
    )
