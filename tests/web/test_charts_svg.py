"""The charts as SVG: named for assistive technology, readable without colour, and inert.

Each chart is parsed back as XML and read for what a reader would see.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from service.web.charts import (
    Bar,
    Marker,
    Series,
    Strip,
    Tick,
    bar_chart,
    strip_chart,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
SPRING, AUTUMN = dt.date(2025, 4, 22), dt.date(2025, 11, 4)
WAVES = [Tick(SPRING, "2024-25"), Tick(AUTUMN, "2025-26")]


def parsed(chart: Markup) -> ET.Element:
    return ET.fromstring(str(chart))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def bars(*values: float | None) -> Markup:
    return bar_chart(
        [Bar(f"Scale {n}", v) for n, v in enumerate(values)],
        chart_id="change",
        title="Mean change",
        description="Per scale",
        axis_label="Change",
    )


def trend(series: list[Series], markers: list[Marker] | None = None) -> Markup:
    return trend_chart(
        series,
        chart_id="trend",
        title="Scores",
        description="Per wave",
        y_range=(1, 5),
        y_label="Mean score",
        x_ticks=WAVES,
        markers=markers or [],
    )


def strips(*groups: list[float]) -> Markup:
    return strip_chart(
        [Strip(f"Scale {n}", values) for n, values in enumerate(groups)],
        chart_id="spread",
        title="Spread",
        description="Per school",
        axis_label="Change",
    )


CHARTS = {
    "bars": lambda: bars(0.4, -0.2, None),
    "trend": lambda: trend(
        [Series("Vision", [(SPRING, 3.0), (AUTUMN, 3.5)])], [Marker(SPRING, "Vision")]
    ),
    "strip": lambda: strips([0.1, 0.3], []),
}


@pytest.mark.parametrize("kind", CHARTS)
def test_every_chart_is_an_image_named_and_described_by_its_title_and_desc(kind: str) -> None:
    root = parsed(CHARTS[kind]())

    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert f"chart-{kind}" in (root.get("class") or "")


@pytest.mark.parametrize("kind", CHARTS)
def test_no_chart_carries_an_inline_style_or_a_script(kind: str) -> None:
    root = parsed(CHARTS[kind]())

    assert all(e.get("style") is None for e in root.iter())
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert not [e for e in root.iter() if e.tag.endswith("foreignObject")]


def test_text_in_a_chart_is_escaped_not_interpreted() -> None:
    chart = bar_chart(
        [Bar('<script>alert("x")</script>', 0.5)],
        chart_id="x",
        title="</title><script>",
        description="&",
        axis_label="Change",
    )

    root = parsed(chart)

    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert '<script>alert("x")</script>' in texts(root)


def test_a_rise_is_a_solid_bar_right_of_zero_and_a_fall_a_hatched_bar_left_of_it() -> None:
    root = parsed(bars(0.4, -0.2))
    zero = float(with_class(root, "chart-zero")[0].get("x1") or "")

    up, down = with_class(root, "bar")
    assert "bar-up" in (up.get("class") or "") and up.get("fill") is None
    assert float(up.get("x") or "") == pytest.approx(zero)
    assert down.get("fill") == "url(#change-hatch)"
    assert root.find(f".//{SVG}pattern[@id='change-hatch']") is not None
    assert float(down.get("x") or "") + float(down.get("width") or "") == pytest.approx(zero)
    assert float(up.get("width") or "") == pytest.approx(
        2 * float(down.get("width") or ""), abs=0.2
    )


def test_every_bar_has_its_value_written_beside_it_with_its_sign() -> None:
    assert {"+0.40", "\u22120.20"} <= set(texts(parsed(bars(0.4, -0.2))))


def test_a_category_without_a_value_draws_no_bar_and_says_so() -> None:
    root = parsed(bars(None))

    assert with_class(root, "bar") == []
    assert "no data" in texts(root)


def test_a_strip_draws_a_dot_per_value_over_its_quartile_box_and_counts_them() -> None:
    root = parsed(strips([0.1, 0.2, 0.3, 0.4, 0.5], []))

    assert len(with_class(root, "chart-dot")) == 5
    assert len(with_class(root, "chart-box")) == 1
    assert "n = 5" in texts(root)
    assert "no data" in texts(root)


def test_dots_name_what_they_belong_to() -> None:
    chart = strip_chart(
        [Strip("Vision", [0.25], names=["Cedar Hill"])],
        chart_id="s",
        title="t",
        description="d",
        axis_label="Change",
    )

    dot = with_class(parsed(chart), "chart-dot")[0]
    assert dot.findtext(f"{SVG}title") == "Cedar Hill: +0.25"


def test_a_trend_draws_a_point_per_value_joined_by_a_line_and_names_the_series() -> None:
    root = parsed(trend([Series("Vision", [(SPRING, 3.0), (AUTUMN, 3.5)])]))

    series = with_class(root, "series-0")
    points = with_class(series[0], "chart-symbol")
    assert len(points) == 2
    assert len(with_class(series[0], "chart-line")) == 1
    assert "Vision" in texts(root)
    assert {"2024-25", "2025-26", "Apr 2025", "Nov 2025"} <= set(texts(root))


def test_a_missing_value_draws_no_point_and_breaks_the_line() -> None:
    third = dt.date(2026, 4, 20)
    root = parsed(
        trend(
            [Series("Vision", [(SPRING, 3.0), (AUTUMN, None), (third, 4.0)])],
        )
    )

    series = with_class(root, "chart-series")[0]
    assert len(with_class(series, "chart-symbol")) == 2
    assert with_class(series, "chart-line") == []


def test_series_differ_in_shape_and_pattern_class_not_only_colour() -> None:
    root = parsed(
        trend(
            [
                Series("Vision", [(SPRING, 3.0)]),
                Series("Influence", [(SPRING, 3.0)]),
            ]
        )
    )

    first, second = with_class(root, "chart-series")
    assert first.get("class") != second.get("class")
    first_shape = with_class(first, "chart-symbol")[0].get("d")
    second_shape = with_class(second, "chart-symbol")[0].get("d")
    assert first_shape != second_shape


def test_a_marker_is_a_line_at_its_date_labelled_along_the_top() -> None:
    launch = dt.date(2025, 8, 1)
    root = parsed(trend([Series("Vision", [(SPRING, 3.0)])], [Marker(launch, "Vision")]))

    marker = with_class(root, "chart-marker")[0]
    line = with_class(marker, "chart-marker-line")[0]
    ticks_x = [
        float(t.get("x") or "")
        for t in with_class(root, "chart-tick")
        if t.text in ("2024-25", "2025-26")
    ]
    assert ticks_x[0] < float(line.get("x1") or "") < ticks_x[1]
    assert marker.findtext(f"{SVG}text") == "Vision, 1 Aug 2025"
    assert marker.findtext(f"{SVG}title") == "Vision: 2025-08-01"


def test_markers_close_together_are_labelled_in_separate_lanes() -> None:
    launch = dt.date(2025, 8, 1)
    markers = [Marker(launch, "Vision and strategy"), Marker(launch, "Shared influence")]

    root = parsed(trend([Series("Vision", [(SPRING, 3.0)])], markers))

    labels = with_class(root, "chart-marker-label")
    assert len({label.get("y") for label in labels}) == 2


def test_axis_ticks_are_written_as_exactly_as_they_fall() -> None:
    ticks = [t.text for t in with_class(parsed(bars(0.45, -0.2)), "chart-tick")]

    assert ticks == ["\u22120.5", "\u22120.25", "0", "+0.25", "+0.5"]
