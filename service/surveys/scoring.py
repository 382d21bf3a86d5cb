"""Scoring responses: respondents, then schools per wave, then change between two waves.

Pure functions over plain data, so the rules can be tested without a database:
- a respondent's score on a scale is the mean of the items they answered on it, reverse-worded
  items flipped (min + max - answer);
- a school's score for a wave is the mean of its respondents' scores, with n;
- a school-scale with fewer than `min_n` respondents is suppressed: its value is never shown;
- the change between two waves has a 95% confidence interval from Welch's t interval on the two
  waves' respondent scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.surveys.instruments import Instrument
from service.surveys.tdist import t_quantile

DEFAULT_MIN_N = 5
CONFIDENCE = 0.95


class Scorer:
    """Scores one instrument's answers, scale by scale."""

    def __init__(self, instrument: Instrument) -> None:
        self.scales = {
            scale: [(item.id, item.reverse) for item in items]
            for scale, items in instrument.scale_items().items()
        }
        self._flip_base = instrument.scale.min + instrument.scale.max

    def score(self, answers: Mapping[str, int]) -> dict[str, float]:
        """The respondent's score on each scale where they answered at least one item."""
        scores = {}
        for scale, items in self.scales.items():
            values = [
                self._flip_base - answers[item] if reverse else answers[item]
                for item, reverse in items
                if item in answers
            ]
            if values:
                scores[scale] = sum(values) / len(values)
        return scores


class Running:
    """Count, mean and variance of a stream of numbers (Welford's method), in constant memory."""

    __slots__ = ("_m2", "mean", "n")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (value - self.mean)

    @property
    def variance(self) -> float:
        """The sample variance (n - 1 in the denominator); 0 for fewer than two values."""
        return self._m2 / (self.n - 1) if self.n > 1 else 0.0


WaveScores = dict[tuple[int, str], Running]
"""(school id, scale) -> the running statistics of its respondents' scores in one wave."""


def accumulate(
    responses: Iterable[tuple[int, str, Mapping[str, int]]], scorers: Mapping[str, Scorer]
) -> WaveScores:
    """Fold (school id, instrument name, answers) rows into per-school, per-scale statistics."""
    scores: WaveScores = {}
    for school_id, instrument, answers in responses:
        for scale, value in scorers[instrument].score(answers).items():
            scores.setdefault((school_id, scale), Running()).add(value)
    return scores


@dataclass(frozen=True)
class SchoolScore:
    """A school's score on one scale in one wave; `mean` is None when suppressed."""

    n: int
    mean: float | None
    suppressed: bool


def school_score(stats: Running | None, *, min_n: int = DEFAULT_MIN_N) -> SchoolScore:
    if stats is None or stats.n < min_n:
        return SchoolScore(n=stats.n if stats else 0, mean=None, suppressed=True)
    return SchoolScore(n=stats.n, mean=stats.mean, suppressed=False)


@dataclass(frozen=True)
class Change:
    """The change in one school's score on one scale between two waves."""

    school_id: int
    scale: str
    before: SchoolScore
    after: SchoolScore
    change: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def suppressed(self) -> bool:
        return self.change is None


def welch_interval(
    before: Running, after: Running, *, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The confidence interval of (after mean - before mean); None with fewer than 2 in a wave."""
    if before.n < 2 or after.n < 2:
        return None
    difference = after.mean - before.mean
    v_before, v_after = before.variance / before.n, after.variance / after.n
    standard_error = math.sqrt(v_before + v_after)
    if standard_error == 0.0:
        return difference, difference
    # Welch-Satterthwaite degrees of freedom.
    df = (v_before + v_after) ** 2 / (v_before**2 / (before.n - 1) + v_after**2 / (after.n - 1))
    margin = t_quantile(0.5 + confidence / 2.0, df) * standard_error
    return difference - margin, difference + margin


def change(
    school_id: int,
    scale: str,
    before: Running | None,
    after: Running | None,
    *,
    min_n: int = DEFAULT_MIN_N,
) -> Change:
    """The change for one school-scale; suppressed (no figures) if either wave is."""
    first, second = school_score(before, min_n=min_n), school_score(after, min_n=min_n)
    if before is None or after is None or first.suppressed or second.suppressed:
        return Change(school_id, scale, first, second, None, None, None)
    interval = welch_interval(before, after)
    low, high = interval if interval is not None else (None, None)
    return Change(school_id, scale, first, second, after.mean - before.mean, low, high)


def changes(before: WaveScores, after: WaveScores, *, min_n: int = DEFAULT_MIN_N) -> list[Change]:
    """A change for every school-scale seen in either wave, ordered by school then scale."""
    keys = sorted(before.keys() | after.keys())
    return [
        change(school, scale, before.get((school, scale)), after.get((school, scale)), min_n=min_n)
        for school, scale in keys
    ]
