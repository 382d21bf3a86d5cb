"""Workflow definitions: parsed, resolved against their shared shape, and validated.

A definition is data. Condition files name the shared shape they follow and
add their own gates; the loader resolves them into one self-contained body,
which is what a cycle is pinned to (stored with its hash when the cycle starts).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.artifacts import ArtifactCatalog
from engine.content import ContentPack
from engine.errors import DefinitionError
from engine.gates import CYCLE_PROGRESSION, REGISTRY, WorkflowKind

EFFECTS = {
    "record_launch": "remember today as the launch date",
    "next_iteration": "start the next iteration of the same cycle",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GateRef(_Strict):
    """A gate named in a definition, with its argument if it takes one."""

    gate: str
    arg: str | int | None = None

    @classmethod
    def parse(cls, raw: object) -> GateRef:
        """Accept `name` or `{name: arg}`, the two spellings a definition file uses."""
        if isinstance(raw, str):
            return cls(gate=raw)
        if isinstance(raw, dict) and len(raw) == 1:
            ((name, arg),) = raw.items()
            return cls(gate=name, arg=arg)
        if isinstance(raw, GateRef | dict):
            return cls.model_validate(raw)
        raise ValueError(f"a gate is a name or a one-key mapping, not {raw!r}")

    def label(self) -> str:
        return self.gate if self.arg is None else f"{self.gate}: {self.arg}"


class StateDef(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    stage: str | None = None
    requires: list[str] = []
    final: bool = False
    expected_days: int | None = None


class TransitionDef(_Strict):
    trigger: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    source: str
    dest: str
    gates: list[GateRef] = []
    effects: list[str] = []
    overridable: bool = False

    @field_validator("gates", mode="before")
    @classmethod
    def _gate_refs(cls, value: object) -> list[GateRef]:
        return [GateRef.parse(item) for item in value or []]


class Definition(_Strict):
    """A resolved workflow definition, complete in itself."""

    name: str
    version: Annotated[int, Field(ge=1)]
    kind: WorkflowKind
    title: str
    condition: str | None = None
    initial: str
    states: list[StateDef]
    transitions: list[TransitionDef]

    def body(self) -> dict[str, Any]:
        """The canonical JSON-able body: what is stored and hashed."""
        return self.model_dump(mode="json")

    @property
    def digest(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def state(self, name: str) -> StateDef:
        return next(s for s in self.states if s.name == name)

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(t.trigger for t in self.transitions))


def _problems(definition: Definition, content: ContentPack) -> list[str]:
    """Everything wrong with a definition, in the order a reader would fix it."""
    problems: list[str] = []
    names = [s.name for s in definition.states]
    if len(names) != len(set(names)):
        problems.append(f"state names repeat: {names}")
    if definition.initial not in names:
        problems.append(f"initial state {definition.initial!r} is not one of the states {names}")
    catalog = ArtifactCatalog(content)
    for t in definition.transitions:
        for end in (t.source, t.dest):
            if end not in names:
                problems.append(f"transition {t.trigger!r} uses unknown state {end!r}")
        problems.extend(_gate_problems(definition, t, catalog, content))
        problems.extend(
            f"transition {t.trigger!r} uses unknown effect {e!r}"
            for e in t.effects
            if e not in EFFECTS
        )
    for s in definition.states:
        problems.extend(
            f"state {s.name!r} requires unknown artifact {kind!r}"
            for kind in s.requires
            if kind not in catalog
        )
        exits = [t for t in definition.transitions if t.source == s.name]
        if s.final and exits:
            problems.append(f"final state {s.name!r} has exits: {[t.trigger for t in exits]}")
        if not s.final and not exits:
            problems.append(f"state {s.name!r} is not final but has no way out")
        if not s.final and s.stage is not None and not _has_stage(definition, content, s.stage):
            problems.append(f"state {s.name!r} names content stage {s.stage!r}, which is missing")
    if definition.kind == "cycle" and definition.condition not in content.conditions:
        problems.append(f"condition {definition.condition!r} has no guide in {content.root}")
    if not problems:
        unreachable = set(names) - _reachable(definition)
        if unreachable:
            problems.append(
                f"states cannot be reached from {definition.initial!r}: {sorted(unreachable)}"
            )
    return problems


def _has_stage(definition: Definition, content: ContentPack, stage: str) -> bool:
    if definition.kind == "cycle":
        guide = content.conditions.get(definition.condition or "")
        return guide is not None and stage in guide.stages
    if definition.kind == "onboarding":
        return stage in content.onboarding.stages
    return stage in content.program_phases.phases


def _gate_problems(
    definition: Definition, t: TransitionDef, catalog: ArtifactCatalog, content: ContentPack
) -> list[str]:
    problems = []
    for ref in t.gates:
        where = f"transition {t.trigger!r} gate {ref.label()!r}"
        known = REGISTRY.get(ref.gate)
        if known is None:
            problems.append(f"{where}: no such gate (known: {', '.join(sorted(REGISTRY))})")
            continue
        if definition.kind not in known.kinds:
            problems.append(f"{where}: not usable in a {definition.kind} workflow")
        valid = {
            None: ref.arg is None,
            "artifact": ref.arg in catalog,
            "cycle_state": ref.arg in CYCLE_PROGRESSION,
            "count": isinstance(ref.arg, int) and ref.arg >= 1,
            "decision_choice": ref.arg in ("revisit", "move_on"),
        }[known.arg]
        if not valid:
            expected = known.arg or "no argument"
            problems.append(f"{where}: argument {ref.arg!r} is not a valid {expected}")
    return problems


def _reachable(definition: Definition) -> set[str]:
    seen = {definition.initial}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        for t in definition.transitions:
            if t.source == state and t.dest not in seen:
                seen.add(t.dest)
                queue.append(t.dest)
    return seen


def validate(definition: Definition, content: ContentPack, source: str) -> Definition:
    """Return the definition if it is usable, else raise DefinitionError naming every problem."""
    problems = _problems(definition, content)
    if problems:
        raise DefinitionError(source, "; ".join(problems))
    return definition


def parse(raw: object, source: str) -> Definition:
    """Build a Definition from plain data, turning pydantic errors into a DefinitionError."""
    try:
        return Definition.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise DefinitionError(source, problems) from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(str(path), "file is missing") from None
    except yaml.YAMLError as exc:
        raise DefinitionError(str(path), f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise DefinitionError(str(path), "expected a mapping at the top level")
    return raw


def _resolve_condition(path: Path, shapes_dir: Path) -> dict[str, Any]:
    """Merge a condition file into the shape it names, adding its extra gates."""
    spec = _read(path)
    known_keys = {"name", "version", "shape", "condition", "title", "extra_gates"}
    unknown = set(spec) - known_keys
    if unknown:
        raise DefinitionError(str(path), f"unknown keys: {sorted(unknown)}")
    missing = [k for k in ("name", "version", "shape", "condition") if k not in spec]
    if missing:
        raise DefinitionError(str(path), f"missing keys: {missing}")
    if spec["name"] != path.stem:
        raise DefinitionError(str(path), f"name {spec['name']!r} does not match the file name")
    shape_path = shapes_dir / f"{spec['shape']}.yaml"
    shape = _read(shape_path)
    if not isinstance(shape.get("transitions"), list) or not all(
        isinstance(t, dict) and "trigger" in t for t in shape["transitions"]
    ):
        raise DefinitionError(str(shape_path), "needs a list of transitions, each with a trigger")
    for key in ("initial", "states"):
        if key not in shape:
            raise DefinitionError(str(shape_path), f"missing key {key!r}")
    extra = spec.get("extra_gates") or {}
    if not isinstance(extra, dict) or not all(isinstance(g, list) for g in extra.values()):
        raise DefinitionError(
            str(path),
            "extra_gates must map each trigger to a list of gates, e.g. {launch_test: [...]}",
        )
    triggers = {t["trigger"] for t in shape["transitions"]}
    for trigger in extra:
        if trigger not in triggers:
            raise DefinitionError(str(path), f"extra_gates names unknown trigger {trigger!r}")
    transitions = [
        {**t, "gates": [*(t.get("gates") or []), *(extra.get(t["trigger"]) or [])]}
        for t in shape["transitions"]
    ]
    return {
        "name": spec["name"],
        "version": spec["version"],
        "kind": "cycle",
        "title": spec.get("title", spec["name"]),
        "condition": spec["condition"],
        "initial": shape["initial"],
        "states": shape["states"],
        "transitions": transitions,
    }


def load_file(path: Path, content: ContentPack) -> Definition:
    """Load one definition file (a condition or a standalone workflow) and validate it."""
    if path.parent.name == "conditions":
        raw = _resolve_condition(path, path.parent.parent / "shapes")
    else:
        raw = _read(path)
        if raw.get("name") != path.stem:
            raise DefinitionError(
                str(path), f"name {raw.get('name')!r} does not match the file name"
            )
    return validate(parse(raw, str(path)), content, str(path))


def load_directory(root: Path, content: ContentPack) -> dict[str, Definition]:
    """Every definition under a workflows directory, by name."""
    paths = [*sorted((root / "conditions").glob("*.yaml")), *sorted(root.glob("*.yaml"))]
    if not paths:
        raise DefinitionError(str(root), "no workflow definitions found")
    return {d.name: d for d in (load_file(p, content) for p in paths)}
