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
