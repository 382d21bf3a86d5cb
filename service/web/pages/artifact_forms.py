"""Artifact forms generated from the schemas in content/artifacts.yaml, and read back.

Field names in a form follow the paths the engine reports errors at: `goal`,
`first_steps` (one list item per line), `items.0.due` (row 0 of a list of
objects). A list of objects gets its saved rows plus `BLANK_ROWS` empty ones;
rows left blank are dropped when the form is read, and so are blank values,
so a half-written draft saves as the fields that were written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from starlette.datastructures import FormData

from engine.content import ArtifactSpec, FieldSpec

BLANK_ROWS = 2

Widget = Literal["textarea", "date", "select", "lines"]


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input: its form name, the id its <label for> names, and what it holds."""

    group: ClassVar[bool] = False
    name: str
    id: str
    label: str
    help: str
    widget: Widget
    value: str
    options: tuple[Option, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class RowGroup:
    """A list of objects (people, actions, ratings): one fieldset of inputs per row."""

    group: ClassVar[bool] = True
    name: str
    label: str
    help: str
    rows: tuple[tuple[FormField, ...], ...]
    error: str | None = None


@dataclass(frozen=True)
class ArtifactForm:
    action: str
    items: tuple[FormField | RowGroup, ...]
    errors: tuple[str, ...] = ()
    """Problems not tied to one field, and a refusal message, shown above the fields."""


def humanise(value: str) -> str:
    """`partly_met` -> `Partly met`: how a choice reads to a person."""
    return value.replace("_", " ").capitalize()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _options(spec: FieldSpec, conditions: Mapping[str, str]) -> tuple[Option, ...]:
    if spec.type == "condition":
        return tuple(Option(slug, title) for slug, title in conditions.items())
    return tuple(Option(choice, humanise(choice)) for choice in spec.choices)


def _widget(spec: FieldSpec) -> Widget:
    widgets: dict[str, Widget] = {
        "text": "textarea",
        "date": "date",
        "choice": "select",
        "condition": "select",
    }
    return widgets.get(spec.type, "lines")


# What the engine's type errors mean for a person using these widgets.
_WIDGET_ERRORS: dict[Widget, str] = {
    "date": "Enter a date as YYYY-MM-DD.",
    "select": "Choose one of the options.",
}


def _error_at(name: str, widget: Widget, errors: Mapping[str, str]) -> str | None:
    """The errors at this input's path (a text list collects its lines' errors too)."""
    own = [msg for path, msg in errors.items() if path == name]
    if widget == "lines":
        own += [
            f"line {int(path.split('.')[1]) + 1}: {msg}"
            for path, msg in errors.items()
            if path.startswith(f"{name}.") and path.split(".")[1].isdigit()
        ]
    if own and widget in _WIDGET_ERRORS:
        return _WIDGET_ERRORS[widget]
    return "; ".join(own) or None


def _input(
    spec: FieldSpec,
    name: str,
    id_prefix: str,
    value: object,
    conditions: Mapping[str, str],
    errors: Mapping[str, str],
) -> FormField:
    widget = _widget(spec)
    if isinstance(value, list):
        value = "\n".join(_text(v) for v in value)
    return FormField(
        name=name,
        id=f"{id_prefix}-{name.replace('.', '-')}",
        label=spec.label,
        help=spec.help,
        widget=widget,
        value=_text(value),
        options=_options(spec, conditions),
        error=_error_at(name, widget, errors),
    )


def _rows(
    spec: FieldSpec,
    saved: object,
    id_prefix: str,
    conditions: Mapping[str, str],
    errors: Mapping[str, str],
) -> RowGroup:
    assert spec.item_fields is not None
    existing = [row for row in saved if isinstance(row, dict)] if isinstance(saved, list) else []
    rows = tuple(
        tuple(
            _input(
                sub,
                f"{spec.name}.{i}.{sub.name}",
                id_prefix,
                row.get(sub.name),
                conditions,
                errors,
            )
            for sub in spec.item_fields
        )
        for i, row in enumerate([*existing, *([{}] * BLANK_ROWS)])
    )
    cells = {cell.name for row in rows for cell in row}
    # Errors about the list or a whole row, rather than one cell, are shown on the list.
    own = [
        f"{path}: {msg}" if path != spec.name else msg
        for path, msg in errors.items()
        if path.split(".")[0] == spec.name and path not in cells
    ]
    return RowGroup(spec.name, spec.label, spec.help, rows, "; ".join(own) or None)


def build_form(
    *,
    spec: ArtifactSpec,
    action: str,
    id_prefix: str,
    data: Mapping[str, Any] | None,
    conditions: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    message: str | None = None,
) -> ArtifactForm:
    """The form for an artifact, prefilled with `data` and showing `errors` beside their fields.

    `conditions` maps each condition's slug to its title, in playbook order.
    """
    data = data or {}
    errors = errors or {}
    items: list[FormField | RowGroup] = []
    for spec_field in spec.fields:
        value = data.get(spec_field.name)
        if spec_field.type == "list" and spec_field.item_fields is not None:
            items.append(_rows(spec_field, value, id_prefix, conditions, errors))
        else:
            items.append(_input(spec_field, spec_field.name, id_prefix, value, conditions, errors))
    placed = {f.name for f in spec.fields}
    unplaced = [
        f"{label_for_path(spec, path)}: {msg}"
        for path, msg in errors.items()
        if path.split(".")[0] not in placed
    ]
    return ArtifactForm(action, tuple(items), tuple([message] if message else []) + tuple(unplaced))


def _submitted(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _row_indices(form: FormData, name: str) -> list[int]:
    prefix = f"{name}."
    found = {
        int(key.split(".")[1])
        for key in form
        if key.startswith(prefix) and key.count(".") == 2 and key.split(".")[1].isdigit()
    }
    return sorted(found)


def read_form(spec: ArtifactSpec, form: FormData) -> dict[str, Any]:
    """The draft a submitted form describes: blank values and blank rows left out."""
    data: dict[str, Any] = {}
    for spec_field in spec.fields:
        name = spec_field.name
        if spec_field.type != "list":
            value: Any = _submitted(form, name)
        elif spec_field.item_fields is None:
            value = [line.strip() for line in _submitted(form, name).splitlines() if line.strip()]
        else:
            value = [
                row
                for i in _row_indices(form, name)
                if (
                    row := {
                        sub.name: cell
                        for sub in spec_field.item_fields
                        if (cell := _submitted(form, f"{name}.{i}.{sub.name}"))
                    }
                )
            ]
        if value:
            data[name] = value
    return data


def label_for_path(spec: ArtifactSpec, path: str) -> str:
    """How a field path reads to a person: `items.0.due` -> `Actions, row 1: Due`."""
    name, *rest = path.split(".")
    field = next((f for f in spec.fields if f.name == name), None)
    if field is None:
        return path
    if not rest or not rest[0].isdigit():
        return field.label
    position = int(rest[0]) + 1
    if field.item_fields is None:
        return f"{field.label}, line {position}"
    sub = next((f for f in field.item_fields if len(rest) > 1 and f.name == rest[1]), None)
    return f"{field.label}, row {position}" + (f": {sub.label}" if sub else "")


def describe_gap(spec: ArtifactSpec, path: str, problem: str) -> str:
    """A sentence for one thing that keeps an artifact from being complete."""
    label = label_for_path(spec, path)
    return f"{label} {problem}" if problem.startswith("is ") else f"{label}: {problem}"
