"""A workflow's state diagram as inline SVG, drawn on the server: no network, no JavaScript.

States are boxes in definition order from left to right; each forward transition is an
arrow (between neighbours a straight one, otherwise an arc above the row); the current
state is filled, outlined thicker and set in bold, so it stands out in print as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

BOX_HEIGHT = 44
CHAR_WIDTH = 8
PADDING = 14
MIN_BOX_WIDTH = 72
GAP = 34
MARGIN = 6
ARC_RISE = 34
INK = "#1f2937"
CURRENT_FILL = "#1d4ed8"


def state_label(state: str) -> str:
    """`self_assessment` -> `Self assessment`."""
    return state.replace("_", " ").capitalize()


def state_diagram_svg(
    *,
    title: str,
    states: Sequence[str],
    transitions: Iterable[tuple[str, str, str]],
    current: str | None,
) -> Markup:
    """The diagram for `states` and `(trigger, source, dest)` transitions, `current` marked.

    Every piece of text is escaped before it is placed, so the result is safe to inline.
    """
    index = {state: i for i, state in enumerate(states)}
    widths = [max(MIN_BOX_WIDTH, len(state_label(s)) * CHAR_WIDTH + 2 * PADDING) for s in states]
    lefts = [MARGIN + sum(widths[:i]) + GAP * i for i in range(len(states))]
    forward: dict[tuple[str, str], list[str]] = {}
    for trigger, source, dest in transitions:
        if source in index and dest in index and index[dest] > index[source]:
            forward.setdefault((source, dest), []).append(trigger)
    arcs = any(index[dest] - index[source] > 1 for source, dest in forward)
    top = MARGIN + (ARC_RISE if arcs else 0)
    width = lefts[-1] + widths[-1] + MARGIN if states else 2 * MARGIN
    height = top + BOX_HEIGHT + MARGIN
    middle = top + BOX_HEIGHT // 2

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="state-diagram-title">',
        f'<title id="state-diagram-title">{escape(title)}'
        + (f": now in {escape(state_label(current))}" if current in index else "")
        + "</title>",
        '<defs><marker id="state-diagram-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{INK}"/></marker></defs>',
    ]
    for (source, dest), triggers in forward.items():
        start, end = index[source], index[dest]
        if end - start == 1:
            path = f"M{lefts[start] + widths[start]},{middle} L{lefts[end]},{middle}"
        else:
            x1 = lefts[start] + widths[start] // 2
            x2 = lefts[end] + widths[end] // 2
            path = f"M{x1},{top} Q{(x1 + x2) // 2},{top - 2 * ARC_RISE} {x2},{top}"
        parts.append(
            f'<path class="transition" d="{path}" fill="none" stroke="{INK}" '
            f'stroke-width="1.5" marker-end="url(#state-diagram-arrow)">'
            f"<title>{escape(', '.join(triggers))}</title></path>"
        )
    for state, left, box_width in zip(states, lefts, widths, strict=True):
        is_current = state == current
        parts.append(
            f'<g class="state{" current" if is_current else ""}">'
            f'<rect x="{left}" y="{top}" width="{box_width}" height="{BOX_HEIGHT}" rx="8" '
            f'fill="{CURRENT_FILL if is_current else "#ffffff"}" stroke="{INK}" '
            f'stroke-width="{3 if is_current else 1.5}"/>'
            f'<text x="{left + box_width // 2}" y="{middle + 5}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="14" '
            f'font-weight="{"bold" if is_current else "normal"}" '
            f'fill="{"#ffffff" if is_current else INK}">{escape(state_label(state))}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
