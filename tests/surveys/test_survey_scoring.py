"""Scoring: respondents, schools, suppression, and the confidence interval of a change."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.surveys.instruments import parse_instrument
from service.surveys.scoring import (
    Running,
    Scorer,
    accumulate,
    change,
    changes,
    school_score,
    welch_interval,
)
from service.surveys.tdist import t_cdf, t_quantile

PULSE = parse_instrument(
    {
        "name": "pulse",
        "title": "Pulse",
        "scale": {"min": 1, "max": 5},
        "items": [
            {"id": "T1", "text": "We plan together.", "measures": "teamwork"},
            {"id": "T2", "text": "I plan alone.", "measures": "teamwork", "reverse": True},
            {"id": "T3", "text": "We share lessons.", "measures": "teamwork"},
            {"id": "E1", "text": "I reach every student.", "measures": "efficacy"},
        ],
    },
    "pulse",
)


def running(values: list[float]) -> Running:
    stats = Running()
    for value in values:
        stats.add(value)
    return stats


def test_a_reverse_item_is_flipped_before_it_is_averaged() -> None:
    # Agreeing strongly with "I plan alone" (5) counts as 1 on teamwork.
    assert Scorer(PULSE).score({"T1": 5, "T2": 5, "T3": 5})["teamwork"] == pytest.approx(11 / 3)
    assert Scorer(PULSE).score({"T1": 5, "T2": 1, "T3": 5})["teamwork"] == 5.0


def test_a_respondent_scores_the_mean_of_the_items_answered_and_nothing_for_none() -> None:
    assert Scorer(PULSE).score({"T1": 4, "T2": 2}) == {"teamwork": 4.0}
    assert Scorer(PULSE).score({"E1": 2}) == {"efficacy": 2.0}
    assert Scorer(PULSE).score({}) == {}


def test_a_school_scores_the_mean_of_its_respondents_with_n() -> None:
    rows = [(7, "pulse", {"E1": v}) for v in (1, 2, 3, 4, 5)] + [(8, "pulse", {"E1": 5})]
    scores = accumulate(rows, {"pulse": Scorer(PULSE)})
    assert (scores[(7, "efficacy")].n, scores[(7, "efficacy")].mean) == (5, 3.0)
    assert (7, "teamwork") not in scores


def test_a_school_with_fewer_than_min_n_respondents_is_suppressed_and_shows_no_value() -> None:
    assert school_score(running([4, 4, 4, 4]), min_n=5).mean is None
    assert school_score(running([4, 4, 4, 4]), min_n=5).suppressed
    assert school_score(running([4, 4, 4, 4, 4]), min_n=5).mean == 4.0
    assert school_score(None).suppressed


def test_a_change_is_suppressed_when_either_wave_is() -> None:
    enough, few = running([3, 3, 4, 4, 5]), running([1, 1])
    assert change(1, "efficacy", enough, few).change is None
    assert change(1, "efficacy", few, enough).change is None
    assert change(1, "efficacy", None, enough).suppressed
    assert change(1, "efficacy", enough, enough).change == 0.0


def test_changes_cover_every_school_scale_seen_in_either_wave() -> None:
    before = {(1, "efficacy"): running([3] * 5), (2, "efficacy"): running([3] * 5)}
    after = {(1, "efficacy"): running([4] * 5), (3, "efficacy"): running([2] * 5)}
    found = {(c.school_id, c.change) for c in changes(before, after)}
    assert found == {(1, 1.0), (2, None), (3, None)}


def test_the_welch_interval_with_equal_variances_uses_the_pooled_degrees_of_freedom() -> None:
    # Equal n and variances: df = 2n - 2 = 8, and t(0.975, 8) = 2.306004; the standard error is 1.
    low, high = welch_interval(running([1, 2, 3, 4, 5]), running([2, 3, 4, 5, 6])) or (0, 0)
    assert low == pytest.approx(1 - 2.306004, abs=1e-6)
    assert high == pytest.approx(1 + 2.306004, abs=1e-6)


def test_the_welch_interval_with_unequal_variances() -> None:
    first, second = [3, 3, 3, 4, 4, 4], [2, 5, 5, 5, 3, 6, 6, 4]
    v1 = statistics.variance(first) / len(first)
    v2 = statistics.variance(second) / len(second)
    df = (v1 + v2) ** 2 / (v1**2 / (len(first) - 1) + v2**2 / (len(second) - 1))
    margin = t_quantile(0.975, df) * math.sqrt(v1 + v2)
    difference = statistics.fmean(second) - statistics.fmean(first)
    interval = welch_interval(running(first), running(second))
    assert interval == pytest.approx((difference - margin, difference + margin))
    assert 7 < df < 10


def test_an_interval_needs_two_respondents_in_each_wave_and_is_a_point_without_spread() -> None:
    assert welch_interval(running([3]), running([4, 5])) is None
    assert welch_interval(running([3, 3]), running([4, 4])) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706205),
        (0.975, 2, 4.302653),
        (0.975, 5, 2.570582),
        (0.975, 10, 2.228139),
        (0.975, 30, 2.042272),
        (0.995, 3, 5.840909),
        (0.95, 20, 1.724718),
        (0.025, 10, -2.228139),
        (0.975, 1e7, 1.959964),
    ],
)
def test_t_quantiles_match_published_tables(p: float, df: float, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-6)
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-12)


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=2, max_size=50))
def test_running_statistics_match_the_standard_library(values: list[float]) -> None:
    stats = running(values)
    assert stats.n == len(values)
    assert stats.mean == pytest.approx(statistics.fmean(values))
    assert stats.variance == pytest.approx(statistics.variance(values), abs=1e-9)
