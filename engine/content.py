"""The content pack: guide text, rubrics and artifact schemas, loaded as data.

Everything a team reads lives in YAML under a content directory (the project's
own `content/` by default, or a deployment's pack named by IMPROVE_CONTENT_DIR).
Each file is checked against the models below when it is loaded, so a broken
pack fails at start-up with the file and the field at fault.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import ContentError

CONDITION_STAGES = ("why", "how", "implement", "review", "decide")
RUBRIC_LEVELS = ("beginning", "developing", "established")

M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Strict):
    """What a team reads while it is in one state of a workflow."""

    title: str
    goal: str
    big_questions: Annotated[list[str], Field(min_length=4, max_length=8)]
    tasks: Annotated[list[str], Field(min_length=3, max_length=6)]


class RubricDimension(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: str
    levels: dict[Literal["beginning", "developing", "established"], str]

    @model_validator(mode="after")
    def _all_levels(self) -> RubricDimension:
        missing = [level for level in RUBRIC_LEVELS if level not in self.levels]
        if missing:
            raise ValueError(f"dimension {self.id!r} lacks levels: {', '.join(missing)}")
        return self


class Rubric(_Strict):
    dimensions: Annotated[list[RubricDimension], Field(min_length=3, max_length=5)]

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [d.id for d in self.dimensions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rubric dimension ids repeat: {ids}")
        return self


class ConditionGuide(_Strict):
    """One condition's strategy guide."""

    slug: str
    title: str
    order: Annotated[int, Field(ge=1, le=7)]
    when_strong: str
    why_it_matters: str
    stages: dict[Literal["why", "how", "implement", "review", "decide"], Stage]
    rubric: Rubric

    @model_validator(mode="after")
    def _every_stage(self) -> ConditionGuide:
        missing = [s for s in CONDITION_STAGES if s not in self.stages]
        if missing:
            raise ValueError(f"stages missing: {', '.join(missing)}")
        return self


class ChoiceBasis(_Strict):
    label: str
    help: str


class OnboardingGuide(_Strict):
    title: str
    stages: dict[Literal["overview", "self_assessment", "choose"], Stage]
    bases: dict[Literal["greatest_need", "greatest_strength"], ChoiceBasis]


class Phase(_Strict):
    title: str
    year: Annotated[int, Field(ge=1)]
    goal: str
    activities: Annotated[list[str], Field(min_length=3, max_length=6)]


class ProgramPhasesGuide(_Strict):
    title: str
    phases: dict[Literal["designing", "implementing", "cultivating", "sustaining"], Phase]


FieldType = Literal["text", "date", "choice", "condition", "list"]


class FieldSpec(_Strict):
    """One field of an artifact: its type, the help a team sees, and when it counts as done."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    help: str
    type: FieldType
    required: bool = True
    choices: list[str] = []
    pattern: str | None = None
    pattern_hint: str | None = None
    required_when: dict[str, str] | None = None
    min_items: Annotated[int, Field(ge=0)] = 1
    item: Literal["text"] | None = None
    item_fields: list[FieldSpec] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"choice field {self.name!r} lists no choices")
        if self.type == "list" and (self.item is None) == (self.item_fields is None):
            raise ValueError(f"list field {self.name!r} needs exactly one of item / item_fields")
        if self.pattern is not None:
            re.compile(self.pattern)
            if not self.pattern_hint:
                raise ValueError(f"field {self.name!r} has a pattern but no pattern_hint")
        return self


class ArtifactSpec(_Strict):
    """An artifact kind: the document a team writes at some stage."""

    title: str
    purpose: str
    tool: int | None = None
    repeatable: bool = False
    fields: Annotated[list[FieldSpec], Field(min_length=1)]

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


class ContentPack(_Strict):
    """Everything loaded from one content directory."""

    root: str
    conditions: dict[str, ConditionGuide]
    artifacts: dict[str, ArtifactSpec]
    onboarding: OnboardingGuide
    program_phases: ProgramPhasesGuide

    @property
    def condition_slugs(self) -> list[str]:
        """Condition slugs in playbook order."""
        return sorted(self.conditions, key=lambda slug: self.conditions[slug].order)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file is missing") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc


def _parse(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ContentError(f"{path}: {problems}") from exc


def _parse_artifacts(path: Path) -> dict[str, ArtifactSpec]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: expected a mapping of artifact kind to its schema")
    specs: dict[str, ArtifactSpec] = {}
    for kind, body in raw.items():
        try:
            specs[kind] = ArtifactSpec.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ContentError(f"{path}: artifact {kind!r}: {where}: {first['msg']}") from exc
    return specs


@cache
def load_content(root: Path) -> ContentPack:
    """Load and validate a content pack; cached per directory."""
    conditions: dict[str, ConditionGuide] = {}
    for path in sorted((root / "conditions").glob("*.yaml")):
        guide = _parse(ConditionGuide, path)
        if guide.slug != path.stem:
            raise ContentError(f"{path}: slug {guide.slug!r} does not match the file name")
        conditions[guide.slug] = guide
    if not conditions:
        raise ContentError(f"{root / 'conditions'}: no condition guides found")
    orders = sorted(g.order for g in conditions.values())
    if len(orders) != len(set(orders)):
        raise ContentError(f"{root / 'conditions'}: two conditions share an order number")
    artifacts = _parse_artifacts(root / "artifacts.yaml")
    return ContentPack(
        root=str(root),
        conditions=conditions,
        artifacts=artifacts,
        onboarding=_parse(OnboardingGuide, root / "onboarding.yaml"),
        program_phases=_parse(ProgramPhasesGuide, root / "program-phases.yaml"),
    )
