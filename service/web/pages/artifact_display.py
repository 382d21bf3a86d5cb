"""An artifact's saved contents as a person reads (and prints) them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.content import ArtifactSpec, FieldSpec
from service.web.pages.artifact_forms import humanise


@dataclass(frozen=True)
class ShownField:
    """One field: a single value (`text`), a list of text (`lines`) or a table (`rows`)."""

    label: str
    text: str = ""
    lines: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def _value(spec: FieldSpec, value: object, conditions: Mapping[str, str]) -> str:
    if value is None:
        return ""
    if spec.type == "condition":
        return conditions.get(str(value), str(value))
    if spec.type == "choice":
        return humanise(str(value))
    return str(value)


def shown_fields(
    spec: ArtifactSpec, body: Mapping[str, Any], conditions: Mapping[str, str]
) -> tuple[ShownField, ...]:
    """Every field of a saved body, in schema order; blank ones show as blank."""
    shown: list[ShownField] = []
    for field in spec.fields:
        value = body.get(field.name)
        items = value if isinstance(value, list) else []
        if field.type != "list":
            shown.append(ShownField(field.label, text=_value(field, value, conditions)))
        elif field.item_fields is None:
            shown.append(ShownField(field.label, lines=tuple(str(v) for v in items)))
        else:
            subs = field.item_fields
            shown.append(
                ShownField(
                    field.label,
                    columns=tuple(sub.label for sub in subs),
                    rows=tuple(
                        tuple(_value(sub, row.get(sub.name), conditions) for sub in subs)
                        for row in items
                        if isinstance(row, dict)
                    ),
                )
            )
    return tuple(shown)
