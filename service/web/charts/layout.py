"""Placing labels and dots so they do not overlap. Pure functions over positions."""

from __future__ import annotations

from collections.abc import Sequence

CHAR_WIDTH = 6.6
"""Rough width of one character of the charts' 12px sans-serif text."""


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def separate(positions: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Move positions apart until neighbours are `gap` apart, inside [low, high], keeping order.

    Used for the labels at the end of trend lines: each stays as near its line as it can.
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [positions[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    placed = [max(p, low) for p in placed]
    result = [0.0] * len(positions)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """The first lane (0, 1, 2, ...) where each [start, end) span meets no earlier one."""
    ends: list[float] = []
    chosen = []
    for start, end in spans:
        lane = next((k for k, last in enumerate(ends) if last <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        chosen.append(lane)
    return chosen


def swarm(xs: Sequence[float], radius: float, max_offset: int) -> list[int]:
    """A vertical offset (0, 1, -1, 2, -2, ...) per dot so dots at close x do not cover each other.

    Dots are placed in order of x; past `max_offset` lanes on either side they share a lane.
    """
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    candidates = [0] + [s * k for k in range(1, max_offset + 1) for s in (1, -1)]
    last_x: dict[int, float] = {}
    offsets = [0] * len(xs)
    for i in order:
        x = xs[i]
        free = [c for c in candidates if x - last_x.get(c, -1e9) >= 2 * radius]
        offset = free[0] if free else min(candidates, key=lambda c: last_x.get(c, -1e9))
        last_x[offset] = x
        offsets[i] = offset
    return offsets
