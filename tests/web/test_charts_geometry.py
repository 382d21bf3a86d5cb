"""The charts' arithmetic: scales, round ticks, and placing labels and dots apart."""

from __future__ import annotations

import datetime as dt

import pytest

from service.web.charts import spread
from service.web.charts.layout import lanes, separate, swarm
from service.web.charts.scale import Linear, date_domain, symmetric_domain, ticks


def test_a_linear_scale_maps_its_domain_onto_its_span_even_backwards() -> None:
    y = Linear((1, 5), (200, 0))

    assert (y(1), y(3), y(5)) == (200, 100, 0)


def test_a_scale_of_one_value_puts_it_in_the_middle() -> None:
    assert Linear((3, 3), (0, 100))(3) == 50


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1, 5, [1, 2, 3, 4, 5]),
        (-1, 1, [-1, -0.5, 0, 0.5, 1]),
        (-0.6, 0.6, [-0.5, 0, 0.5]),
        (-0.5, 0.5, [-0.5, -0.25, 0, 0.25, 0.5]),
    ],
)
def test_ticks_are_round_values_inside_the_range(
    low: float, high: float, expected: list[float]
) -> None:
    assert ticks(low, high) == expected


def test_a_change_axis_is_centred_on_zero_and_holds_every_value() -> None:
    low, high = symmetric_domain([0.42, -0.3, 0.1])

    assert low == -high
    assert low <= -0.42 and high >= 0.42
    assert high in ticks(low, high)


def test_a_change_axis_without_values_still_has_a_width() -> None:
    assert symmetric_domain([]) == (-1, 1)
    assert symmetric_domain([0.0]) == (-1, 1)


def test_the_time_axis_pads_both_ends_so_no_mark_sits_on_the_frame() -> None:
    days = [dt.date(2025, 4, 22), dt.date(2025, 11, 4)]

    low, high = date_domain(days)

    assert low < days[0].toordinal() and high > days[1].toordinal()


def test_labels_too_close_are_pushed_apart_in_order_and_kept_inside() -> None:
    placed = separate([50.0, 52.0, 51.0, 200.0], gap=14, low=0, high=100)

    assert placed[0] < placed[2] < placed[1]
    assert sorted(placed[:3]) == [50.0, 64.0, 78.0]
    assert placed[3] == 100


def test_labels_at_the_bottom_edge_are_moved_up_rather_than_out() -> None:
    placed = separate([98.0, 99.0, 100.0], gap=10, low=0, high=100)

    assert placed == [80.0, 90.0, 100.0]


def test_overlapping_spans_take_separate_lanes_and_free_lanes_are_reused() -> None:
    assert lanes([(0, 50), (10, 60), (55, 90), (70, 100)]) == [0, 1, 0, 1]


def test_dots_apart_stay_on_the_line_and_dots_at_one_place_step_off_it() -> None:
    assert swarm([0, 50, 100], radius=3, max_offset=3) == [0, 0, 0]
    offsets = swarm([10, 10, 10, 10], radius=3, max_offset=3)
    assert offsets == [0, 1, -1, 2]


def test_dots_beyond_the_lanes_share_the_one_used_longest_ago() -> None:
    offsets = swarm([10.0] * 4, radius=3, max_offset=1)

    assert len(set(offsets[:3])) == 3
    assert offsets[3] == offsets[0]


def test_a_spread_gives_the_five_figures_and_its_size() -> None:
    found = spread([5.0, 1.0, 3.0, 2.0, 4.0])

    assert found is not None
    assert (found.n, found.low, found.median, found.high) == (5, 1.0, 3.0, 5.0)
    assert (found.lower_quartile, found.upper_quartile) == (2.0, 4.0)


def test_a_spread_of_one_value_is_that_value_and_of_none_is_nothing() -> None:
    only = spread([0.25])

    assert only is not None and {only.low, only.median, only.high} == {0.25}
    assert spread([]) is None
