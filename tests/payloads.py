"""Hostile text for every field a person types, and documents of every artifact kind carrying it."""

from __future__ import annotations

from typing import Any

from engine.content import ArtifactSpec, FieldSpec

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE team; --",
    "sql-comment": 'Robert"); DELETE FROM person WHERE 1=1; /*',
    "unicode": "Zoë 学校 \u202egnp.exe \u200b\U0001f4a5 e\u0301",
    "long": "long-" * 4000,
}
"""Each is stored as typed and shown as text: no markup, no statement and no length breaks out."""

SHORT_PAYLOADS = {name: text for name, text in PAYLOADS.items() if len(text) <= 200}
"""For names, which are capped at 200 characters."""


def _field_value(spec: FieldSpec, text: str) -> object | None:
    """The payload in every text position of a field; None for a field that holds no text."""
    if spec.type == "text":
        return text
    if spec.type == "list" and spec.item == "text":
        return [text, text]
    if spec.type == "list" and spec.item_fields:
        row = {sub.name: _field_value(sub, text) for sub in spec.item_fields}
        return [{name: value for name, value in row.items() if value is not None}]
    return None


def hostile_document(spec: ArtifactSpec, text: str) -> dict[str, Any]:
    """A draft of this kind with `text` in each of its text fields (others left out)."""
    values = {field.name: _field_value(field, text) for field in spec.fields}
    return {name: value for name, value in values.items() if value is not None}


def without_blanks(value: object) -> object:
    """A stored document without the empty fields the server fills in for a draft."""
    if isinstance(value, dict):
        return {k: without_blanks(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_blanks(v) for v in value]
    return value


def hostile_complete(spec: ArtifactSpec, complete: dict[str, Any], text: str) -> dict[str, Any]:
    """`complete` with `text` in each of its text fields, every row included: gates still pass."""
    hostile = hostile_document(spec, text)
    return {**complete, **{name: _over(complete.get(name), v) for name, v in hostile.items()}}


def _over(complete: object, hostile: object) -> object:
    """The hostile row laid over each complete row, keeping its dates and choices."""
    if isinstance(complete, list) and isinstance(hostile, list) and isinstance(hostile[0], dict):
        return [{**kept, **hostile[0]} for kept in complete]
    return hostile


def occurrences(value: object, text: str) -> int:
    """How many times `text` is a whole value somewhere in a document."""
    if isinstance(value, dict):
        return sum(occurrences(v, text) for v in value.values())
    if isinstance(value, list):
        return sum(occurrences(v, text) for v in value)
    return int(value == text)
