"""Bars either side of zero, one row per category: a mean change, say, per condition.

A rise is a solid bar and a fall a hatched one, and every bar has its value written
beside it, so the chart reads the same in black and white as in colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from service.web.charts.rows import row_frame, signed
from service.web.charts.svg import tag, text, tooltip

ROW_HEIGHT = 30
BAR_HEIGHT = 16
VALUE_ROOM = 64.0


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """None draws no bar: the row says `missing` instead."""


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    axis_label: str,
    missing: str = "no data",
) -> Markup:
    """A horizontal bar per category, from zero to its value."""
    frame = row_frame(
        [b.label for b in bars],
        [b.value for b in bars if b.value is not None],
        row_height=ROW_HEIGHT,
        axis_label=axis_label,
        right_margin=VALUE_ROOM,
    )
    hatch = f"{chart_id}-hatch"
    parts = [
        tag(
            "defs",
            tag(
                "pattern",
                tag("rect", width=6, height=6, class_="hatch-ground"),
                tag("path", d="M0,6 L6,0", class_="hatch-line"),
                id=hatch,
                width=6,
                height=6,
                patternUnits="userSpaceOnUse",
            ),
        ),
        frame.draw_axis(),
        frame.draw_labels(),
    ]
    zero = frame.x(0.0)
    for row, bar in enumerate(bars):
        middle = frame.middle(row)
        if bar.value is None:
            parts.append(frame.draw_missing(row, missing))
            continue
        end = frame.x(bar.value)
        rising = bar.value >= 0
        parts.append(
            tag(
                "rect",
                tooltip(f"{bar.label}: {signed(bar.value)}"),
                x=min(zero, end),
                y=middle - BAR_HEIGHT / 2,
                width=abs(end - zero),
                height=BAR_HEIGHT,
                class_="bar bar-up" if rising else "bar bar-down",
                fill=None if rising else f"url(#{hatch})",
            )
        )
        label_x = max(zero, end) + 6
        parts.append(text(signed(bar.value), x=label_x, y=middle + 4, class_="chart-value"))
    return frame.document(
        chart_id=chart_id, kind="bars", title=title, description=description, body=parts
    )
