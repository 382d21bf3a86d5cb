"""The frame shared by the bar and strip charts: one labelled row per category, over a
horizontal value axis centred on zero, with its ticks along the bottom."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from service.web.charts.layout import text_width
from service.web.charts.scale import Linear, symmetric_domain, ticks
from service.web.charts.svg import document, tag, text

WIDTH = 640
TOP = 8
AXIS_HEIGHT = 34
GUTTER = 10
MAX_LABEL_WIDTH = 230.0


def signed(value: float, decimals: int = 2) -> str:
    """`+0.42`, `-0.17` (written with a true minus sign, U+2212) or `0.00`."""
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{value:+.{decimals}f}".replace("-", "\u2212")


def tick_text(value: float) -> str:
    """A tick's value as short as it can be written: `+0.25`, `0`, `\u22121`."""
    return "0" if value == 0 else f"{value:+g}".replace("-", "\u2212")


@dataclass(frozen=True)
class RowFrame:
    labels: tuple[str, ...]
    x: Linear
    row_height: int
    axis_label: str

    @property
    def height(self) -> int:
        return TOP + self.row_height * len(self.labels) + AXIS_HEIGHT

    @property
    def plot_bottom(self) -> float:
        return TOP + self.row_height * len(self.labels)

    def middle(self, row: int) -> float:
        return TOP + self.row_height * (row + 0.5)

    def draw_missing(self, row: int, message: str) -> str:
        """Words in place of a row's marks, just right of zero."""
        return text(message, x=self.x(0.0) + 6, y=self.middle(row) + 4, class_="chart-missing")

    def document(
        self, *, chart_id: str, kind: str, title: str, description: str, body: Sequence[str]
    ) -> Markup:
        """The finished chart: the frame's size around `body`."""
        return document(
            chart_id=chart_id,
            kind=kind,
            title=title,
            description=description,
            width=WIDTH,
            height=self.height,
            body="".join(body),
        )

    def draw_labels(self) -> str:
        left = self.x.span[0] - GUTTER
        return "".join(
            text(label, x=left, y=self.middle(i) + 4, text_anchor="end", class_="chart-label")
            for i, label in enumerate(self.labels)
        )

    def draw_axis(self) -> str:
        """Gridlines with their values below, the zero line on top, and the axis's name."""
        low, high = self.x.domain
        bottom = self.plot_bottom
        parts = []
        for value in ticks(low, high):
            x = self.x(value)
            parts.append(tag("line", x1=x, x2=x, y1=TOP, y2=bottom, class_="chart-grid"))
            parts.append(
                text(
                    tick_text(value), x=x, y=bottom + 14, text_anchor="middle", class_="chart-tick"
                )
            )
        zero = self.x(0.0)
        parts.append(tag("line", x1=zero, x2=zero, y1=TOP, y2=bottom, class_="chart-zero"))
        middle = (self.x.span[0] + self.x.span[1]) / 2
        parts.append(
            text(
                self.axis_label, x=middle, y=bottom + 30, text_anchor="middle", class_="chart-axis"
            )
        )
        return "".join(parts)


def row_frame(
    labels: Sequence[str],
    values: Iterable[float],
    *,
    row_height: int,
    axis_label: str,
    right_margin: float,
) -> RowFrame:
    """Room on the left for the longest label, and a zero-centred axis wide enough for `values`."""
    left = min(max((text_width(label) for label in labels), default=0.0), MAX_LABEL_WIDTH)
    span = (left + 2 * GUTTER, WIDTH - right_margin)
    return RowFrame(
        labels=tuple(labels),
        x=Linear(symmetric_domain(values), span),
        row_height=row_height,
        axis_label=axis_label,
    )
