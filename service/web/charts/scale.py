"""Mapping data onto the drawing: linear scales and round tick values. Pure arithmetic."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Linear:
    """Maps the interval `domain` onto the interval `span` (either may run backwards)."""

    domain: tuple[float, float]
    span: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (s0, s1) = self.domain, self.span
        if d1 == d0:
            return (s0 + s1) / 2
        return s0 + (value - d0) * (s1 - s0) / (d1 - d0)


def nice_step(extent: float, count: int) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten giving about `count` intervals."""
    if extent <= 0:
        return 1.0
    raw = extent / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values from `low` to `high` inclusive, about `count` intervals apart."""
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def symmetric_domain(values: Iterable[float], count: int = 4) -> tuple[float, float]:
    """A domain centred on zero, wide enough for every value and ending on a round tick."""
    reach = max((abs(v) for v in values), default=0.0)
    if reach == 0:
        return -1.0, 1.0
    step = nice_step(2 * reach, count)
    edge = math.ceil(reach / step - 1e-9) * step
    return -edge, edge


def date_domain(days: Iterable[dt.date], *, pad_days: int = 20) -> tuple[float, float]:
    """Ordinal days spanning every date, padded on both sides so no mark sits on the frame."""
    ordinals = [d.toordinal() for d in days]
    if not ordinals:
        today = dt.date.today().toordinal()
        return today - pad_days, today + pad_days
    low, high = min(ordinals), max(ordinals)
    pad = max(pad_days, (high - low) // 12)
    return low - pad, high + pad
