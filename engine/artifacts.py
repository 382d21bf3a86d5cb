"""Artifacts as typed drafts: shape checked on every save, completeness reported field by field.

A draft may be saved half-written. Saving only checks that what is there has
the right type (a date is a date, a status is one of its choices); whether the
artifact is *complete* is a separate question, answered per field so a team
sees exactly what it still owes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from engine.content import ArtifactSpec, ContentPack, FieldSpec
from engine.errors import ArtifactInvalid, FieldError, UnknownArtifact

Status = Literal["missing", "incomplete", "complete"]


@dataclass(frozen=True)
class FieldGap:
    """A field that keeps an artifact from being complete."""

    field: str
    problem: str


@dataclass(frozen=True)
class ArtifactStatus:
    kind: str
    status: Status
    missing: tuple[FieldGap, ...] = ()

    @property
    def missing_fields(self) -> list[str]:
        return [gap.field for gap in self.missing]


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _python_type(spec: FieldSpec, conditions: list[str], owner: str) -> Any:
    if spec.type == "text":
        return str
    if spec.type == "date":
        return dt.date
    if spec.type == "choice":
        return Literal[tuple(spec.choices)]
    if spec.type == "condition":
        return Literal[tuple(conditions)]
    if spec.item == "text":
        return list[str]
    assert spec.item_fields is not None
    return list[_model_for(spec.item_fields, conditions, f"{owner}_{spec.name}")]


def _model_for(fields: list[FieldSpec], conditions: list[str], name: str) -> type[BaseModel]:
    definitions: dict[str, Any] = {
        f.name: (_python_type(f, conditions, name) | None, None) for f in fields
    }
    return create_model(name, __base__=_Draft, **definitions)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _field_gaps(
    spec: FieldSpec, value: object, doc: Mapping[str, object], path: str
) -> list[FieldGap]:
    if spec.required_when is not None:
        applies = all(doc.get(k) == v for k, v in spec.required_when.items())
        if not applies:
            return []
    elif not spec.required:
        return []
    if spec.type == "list":
        items = value if isinstance(value, list) else []
        if len(items) < spec.min_items:
            return [FieldGap(path, f"add at least {spec.min_items} {spec.label.lower()}")]
        if spec.item == "text":
            return [
                FieldGap(f"{path}.{i}", "is blank")
                for i, item in enumerate(items)
                if _is_blank(item)
            ]
        assert spec.item_fields is not None
        return [
            gap
            for i, item in enumerate(items)
            for sub in spec.item_fields
            for gap in _field_gaps(sub, item.get(sub.name), item, f"{path}.{i}.{sub.name}")
        ]
    if _is_blank(value):
        return [FieldGap(path, "is blank")]
    if spec.pattern and not re.match(spec.pattern, str(value)):
        return [FieldGap(path, spec.pattern_hint or "does not have the expected form")]
    return []


@dataclass(frozen=True)
class ArtifactType:
    """One artifact kind, ready to validate drafts and judge completeness."""

    kind: str
    spec: ArtifactSpec
    conditions: tuple[str, ...]

    @cached_property
    def draft_model(self) -> type[BaseModel]:
        return _model_for(self.spec.fields, list(self.conditions), self.kind)

    def validate_draft(self, data: object) -> dict[str, Any]:
        """Return the draft in canonical JSON form, or raise ArtifactInvalid naming each field."""
        try:
            model = self.draft_model.model_validate(data)
        except ValidationError as exc:
            raise ArtifactInvalid(
                self.kind,
                [
                    FieldError(".".join(str(p) for p in err["loc"]) or "(body)", err["msg"])
                    for err in exc.errors()
                ],
            ) from exc
        return model.model_dump(mode="json")

    def label(self, path: str) -> str:
        """A field path in the words of the form: `items.0.due` -> 'Actions, row 1: Due'."""
        parts = path.split(".")
        spec = self.spec.field(parts[0])
        if len(parts) == 1:
            return spec.label
        row = f"{spec.label}, row {int(parts[1]) + 1}"
        if len(parts) == 2 or spec.item_fields is None:
            return row
        sub = next((f for f in spec.item_fields if f.name == parts[2]), None)
        return f"{row}: {sub.label if sub else parts[2]}"

    def status(self, doc: Mapping[str, Any] | None) -> ArtifactStatus:
        """Missing, incomplete (with the fields at fault) or complete."""
        if doc is None:
            return ArtifactStatus(self.kind, "missing")
        gaps = tuple(
            gap for f in self.spec.fields for gap in _field_gaps(f, doc.get(f.name), doc, f.name)
        )
        return ArtifactStatus(self.kind, "incomplete" if gaps else "complete", gaps)


class ArtifactCatalog:
    """Every artifact kind of a content pack, by name."""

    def __init__(self, content: ContentPack) -> None:
        conditions = tuple(content.condition_slugs)
        self.conditions = conditions
        self._types = {
            kind: ArtifactType(kind, spec, conditions) for kind, spec in content.artifacts.items()
        }

    def __contains__(self, kind: object) -> bool:
        return kind in self._types

    def __getitem__(self, kind: str) -> ArtifactType:
        try:
            return self._types[kind]
        except KeyError:
            raise UnknownArtifact(kind) from None

    @property
    def kinds(self) -> list[str]:
        return list(self._types)
