"""How values spread across schools, one row per category: every value as a dot, over a box
from the lower to the upper quartile with the median marked.

Dots that would cover each other step up and down from the row's centre line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median, quantiles

from markupsafe import Markup

from service.web.charts.layout import swarm
from service.web.charts.rows import row_frame, signed
from service.web.charts.scale import Linear
from service.web.charts.svg import tag, text, tooltip

ROW_HEIGHT = 44
BOX_HEIGHT = 22
DOT_RADIUS = 3.0
SWARM_LANES = 3
COUNT_ROOM = 56.0


@dataclass(frozen=True)
class Spread:
    """The five figures of a distribution (quartiles by the inclusive method) and its size."""

    n: int
    low: float
    lower_quartile: float
    median: float
    upper_quartile: float
    high: float


def spread(values: Sequence[float]) -> Spread | None:
    """The spread of `values`, or None when there are none."""
    if not values:
        return None
    if len(values) == 1:
        only = values[0]
        return Spread(1, only, only, only, only, only)
    q1, _, q3 = quantiles(values, n=4, method="inclusive")
    return Spread(len(values), min(values), q1, median(values), q3, max(values))


@dataclass(frozen=True)
class Strip:
    label: str
    values: Sequence[float]
    names: Sequence[str] = ()
    """What each value belongs to (a school, say), shown when a reader points at its dot."""


def strip_chart(
    strips: Sequence[Strip],
    *,
    chart_id: str,
    title: str,
    description: str,
    axis_label: str,
    missing: str = "no data",
) -> Markup:
    """A row per category: its values as dots over their quartile box, `n` at the right."""
    frame = row_frame(
        [s.label for s in strips],
        [v for s in strips for v in s.values],
        row_height=ROW_HEIGHT,
        axis_label=axis_label,
        right_margin=COUNT_ROOM,
    )
    parts = [frame.draw_axis(), frame.draw_labels()]
    right = frame.x.span[1]
    for row, strip in enumerate(strips):
        middle = frame.middle(row)
        summary = spread(strip.values)
        if summary is None:
            parts.append(frame.draw_missing(row, missing))
            continue
        xs = [frame.x(v) for v in strip.values]
        offsets = swarm(xs, DOT_RADIUS, SWARM_LANES)
        names = strip.names or [""] * len(xs)
        dots = [
            tag(
                "circle",
                tooltip(f"{name}: {signed(value)}" if name else signed(value)),
                cx=px,
                cy=middle + offset * 2 * DOT_RADIUS * 0.9,
                r=DOT_RADIUS,
                class_="chart-dot",
            )
            for px, offset, value, name in zip(xs, offsets, strip.values, names, strict=True)
        ]
        parts.append(
            _spread(strip.label, summary, frame.x, middle, tag("g", *dots, class_="chart-dots"))
        )
        parts.append(text(f"n = {summary.n}", x=right + 8, y=middle + 4, class_="chart-value"))
    return frame.document(
        chart_id=chart_id, kind="strip", title=title, description=description, body=parts
    )


def _spread(label: str, summary: Spread, x: Linear, middle: float, dots: str) -> str:
    """The quartile box under the dots and the median line over them, described in words."""
    q1, q3, mid = x(summary.lower_quartile), x(summary.upper_quartile), x(summary.median)
    top, bottom = middle - BOX_HEIGHT / 2, middle + BOX_HEIGHT / 2
    described = (
        f"{label}: median {signed(summary.median)}, "
        f"middle half from {signed(summary.lower_quartile)} to {signed(summary.upper_quartile)}"
    )
    return tag(
        "g",
        tooltip(described),
        tag("rect", x=q1, y=top, width=max(q3 - q1, 1.0), height=BOX_HEIGHT, class_="chart-box"),
        dots,
        tag("line", x1=mid, x2=mid, y1=top, y2=bottom, class_="chart-median"),
        class_="chart-spread",
    )
