"""Lines over time, one per series, with dated events marked across them.

Each series has its own point shape and dash pattern and is named at its right-hand end,
so lines can be told apart without colour. A missing value (None) draws no point and
breaks the line: nothing on the chart hints at a value that was not given.
Markers are vertical lines at a date, labelled along the top in as many lanes as it
takes for no label to cover another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from service.web.charts.layout import lanes, separate, text_width
from service.web.charts.scale import Linear, date_domain, ticks
from service.web.charts.svg import document, num, tag, text, tooltip

WIDTH = 640
LEFT = 44
TOP = 10
LANE_HEIGHT = 15
PLOT_HEIGHT = 220
AXIS_HEIGHT = 44
SYMBOL = 4.5
STYLES = 8
"""Distinct point shapes and dash patterns before they repeat (series-0 ... series-7)."""
LABEL_GAP = 14
MAX_LABEL_ROOM = 190.0


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[dt.date, float | None]]


@dataclass(frozen=True)
class Marker:
    """Something that happened on a date, such as a team launching its test."""

    on: dt.date
    label: str

    @property
    def caption(self) -> str:
        """The label with its day, since the time axis names only its ticks' months."""
        return f"{self.label}, {self.on.day} {self.on:%b %Y}"


@dataclass(frozen=True)
class Tick:
    """A labelled date on the time axis, such as a survey wave."""

    on: dt.date
    label: str


_Point = tuple[float, float]
POLYGONS: dict[int, tuple[_Point, ...]] = {
    1: ((-1, -1), (1, -1), (1, 1), (-1, 1)),
    2: ((0, -1), (1, 1), (-1, 1)),
    3: ((0, -1), (1, 0), (0, 1), (-1, 0)),
    4: ((-1, -1), (1, -1), (0, 1)),
    7: ((-1, -0.5), (1, -0.5), (1, 0.5), (-1, 0.5)),
}
"""Point shapes as corners on a unit square; 0 is a circle, 5 and 6 are strokes."""
STROKES: dict[int, tuple[tuple[_Point, _Point], ...]] = {
    5: (((-1, 0), (1, 0)), ((0, -1), (0, 1))),
    6: (((-1, -1), (1, 1)), ((1, -1), (-1, 1))),
}


def symbol(shape: int, x: float, y: float, r: float = SYMBOL) -> str:
    """The path of point shape `shape` (taken modulo STYLES) centred on (x, y)."""
    shape %= STYLES

    def at(point: _Point) -> str:
        return f"{num(x + point[0] * r)},{num(y + point[1] * r)}"

    if shape in STROKES:
        return " ".join(f"M{at(a)} L{at(b)}" for a, b in STROKES[shape])
    if shape in POLYGONS:
        return "M" + " L".join(at(p) for p in POLYGONS[shape]) + " z"
    half_turn = f"a{num(r)},{num(r)} 0 1,0"
    return f"M{at((-1, 0))} {half_turn} {num(2 * r)},0 {half_turn} {num(-2 * r)},0 z"


def _marker_lanes(markers: Sequence[Marker], x: Linear) -> tuple[list[float], list[int]]:
    """Where each marker's label starts, and its lane, so labels never overlap."""
    starts = [min(x(m.on.toordinal()) + 3, WIDTH - text_width(m.caption)) for m in markers]
    order = sorted(range(len(markers)), key=lambda i: starts[i])
    spans = [(starts[i], starts[i] + text_width(markers[i].caption) + 8) for i in order]
    chosen = lanes(spans)
    lane_of = [0] * len(markers)
    for k, i in enumerate(order):
        lane_of[i] = chosen[k]
    return starts, lane_of


def trend_chart(
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    description: str,
    y_range: tuple[float, float],
    y_label: str,
    x_ticks: Sequence[Tick],
    markers: Sequence[Marker] = (),
) -> Markup:
    """A line per series over a time axis labelled at `x_ticks`, with `markers` drawn across."""
    label_room = min(max((text_width(s.label) for s in series), default=0.0), MAX_LABEL_ROOM)
    right = WIDTH - label_room - 2 * SYMBOL - 16
    days = [t.on for t in x_ticks] + [m.on for m in markers]
    days += [day for s in series for day, _ in s.points]
    x = Linear(date_domain(days), (LEFT, right))
    starts, lane_of = _marker_lanes(markers, x)
    top = TOP + LANE_HEIGHT * (max(lane_of) + 1 if markers else 0)
    bottom = top + PLOT_HEIGHT
    y = Linear(y_range, (bottom, top))

    parts = [_axes(x, y, x_ticks, y_label, top, bottom, right)]
    for marker, start, lane in zip(markers, starts, lane_of, strict=True):
        at = x(marker.on.toordinal())
        baseline = TOP + LANE_HEIGHT * (lane + 1) - 4
        parts.append(
            tag(
                "g",
                tooltip(f"{marker.label}: {marker.on.isoformat()}"),
                tag("line", x1=at, x2=at, y1=baseline + 2, y2=bottom, class_="chart-marker-line"),
                text(marker.caption, x=start, y=baseline, class_="chart-marker-label"),
                class_="chart-marker",
            )
        )
    ends: list[tuple[int, float]] = []
    for index, one in enumerate(series):
        drawn = _series(index, one, x, y)
        parts.append(drawn[0])
        if drawn[1] is not None:
            ends.append((index, drawn[1]))
    placed = separate([end for _, end in ends], LABEL_GAP, top, bottom)
    for (index, _), label_y in zip(ends, placed, strict=True):
        label_x = right + 8
        parts.append(
            tag(
                "g",
                tag("path", d=symbol(index, label_x + SYMBOL, label_y), class_="chart-symbol"),
                text(series[index].label, x=label_x + 2 * SYMBOL + 5, y=label_y + 4),
                class_=f"chart-series-label series-{index % STYLES}",
            )
        )
    return document(
        chart_id=chart_id,
        kind="trend",
        title=title,
        description=description,
        width=WIDTH,
        height=int(bottom + AXIS_HEIGHT),
        body="".join(parts),
    )


def _axes(
    x: Linear,
    y: Linear,
    x_ticks: Sequence[Tick],
    y_label: str,
    top: float,
    bottom: float,
    right: float,
) -> str:
    parts = []
    for value in ticks(*y.domain):
        at = y(value)
        parts.append(tag("line", x1=LEFT, x2=right, y1=at, y2=at, class_="chart-grid"))
        parts.append(
            text(f"{value:g}", x=LEFT - 6, y=at + 4, text_anchor="end", class_="chart-tick")
        )
    for tick in x_ticks:
        at = x(tick.on.toordinal())
        parts.append(tag("line", x1=at, x2=at, y1=bottom, y2=bottom + 5, class_="chart-axis-line"))
        parts.append(
            text(tick.label, x=at, y=bottom + 18, text_anchor="middle", class_="chart-tick")
        )
        parts.append(
            text(
                tick.on.strftime("%b %Y"),
                x=at,
                y=bottom + 32,
                text_anchor="middle",
                class_="chart-tick chart-tick-date",
            )
        )
    parts.append(tag("line", x1=LEFT, x2=right, y1=bottom, y2=bottom, class_="chart-axis-line"))
    middle = (top + bottom) / 2
    parts.append(
        text(
            y_label,
            x=12,
            y=middle,
            text_anchor="middle",
            class_="chart-axis",
            transform=f"rotate(-90 12 {middle:.1f})",
        )
    )
    return "".join(parts)


def _series(index: int, one: Series, x: Linear, y: Linear) -> tuple[str, float | None]:
    """The series' line segments and points, and the y of its last point (None if it has none)."""
    style = index % STYLES
    lines, points = [], []
    run: list[tuple[float, float]] = []
    last: float | None = None
    for day, value in one.points:
        if value is None:
            lines.append(_line(run))
            run = []
            continue
        px, py = x(day.toordinal()), y(value)
        run.append((px, py))
        last = py
        points.append(
            tag(
                "path",
                tooltip(f"{one.label}, {day.isoformat()}: {value:.2f}"),
                d=symbol(style, px, py),
                class_="chart-symbol",
            )
        )
    lines.append(_line(run))
    group = tag("g", *lines, *points, class_=f"chart-series series-{style}")
    return group, last


def _line(run: list[tuple[float, float]]) -> str:
    if len(run) < 2:
        return ""
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
    return tag("polyline", points=points, class_="chart-line")
