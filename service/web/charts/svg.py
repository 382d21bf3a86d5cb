"""Writing SVG elements as text, every attribute and piece of text escaped.

The pages' Content-Security-Policy forbids inline styles, so elements carry classes
(styled in site.css and print.css) and geometry attributes only.
"""

from __future__ import annotations

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"


def num(value: float) -> str:
    """A coordinate with at most one decimal, without a trailing `.0`."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def attrs(**values: object) -> str:
    """` name="value"` pairs; a trailing underscore is dropped (class_) and `_` becomes `-`."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {key}="{escape(text)}"')
    return "".join(parts)


def tag(name: str, *children: str, **values: object) -> str:
    """One element; children are markup already built by these functions."""
    inner = "".join(children)
    return f"<{name}{attrs(**values)}>{inner}</{name}>" if inner else f"<{name}{attrs(**values)}/>"


def text(content: str, **values: object) -> str:
    """A <text> element whose content is escaped."""
    return f"<text{attrs(**values)}>{escape(content)}</text>"


def tooltip(content: str) -> str:
    """A <title> child, which browsers show on hover and screen readers announce."""
    return f"<title>{escape(content)}</title>"


def document(
    *, chart_id: str, kind: str, title: str, description: str, width: int, height: int, body: str
) -> Markup:
    """The outer <svg>: an image named by its <title> and described by its <desc>."""
    head = (
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )
    opening = (
        f'<svg xmlns="{SVG_NS}"'
        + attrs(
            id=chart_id,
            class_=f"chart chart-{kind}",
            role="img",
            viewBox=f"0 0 {width} {height}",
            width=width,
            height=height,
            aria_labelledby=f"{chart_id}-title",
            aria_describedby=f"{chart_id}-desc",
        )
        + ">"
    )
    return Markup(f"{opening}{head}{body}</svg>")
