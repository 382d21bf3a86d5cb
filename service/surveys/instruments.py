"""Survey instruments: what a YAML instrument may say, checked when it is loaded.

An instrument names its response scale (whole numbers from `min` to `max`) and its items; each
item measures one scale (a condition slug, `efficacy`, or a program's own scale name). A bad
instrument is refused with a message naming the file and the item or scale at fault.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import EngineError

EFFICACY = "efficacy"
FIXED_COLUMNS = ("school_code", "administered_on", "respondent_id", "role")
"""The columns every response file starts with; item ids may not reuse these names."""

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_SCALE_POINTS = 11
"""The widest response scale accepted (0-10); anything wider is almost certainly a typo."""


class InstrumentInvalid(EngineError):
    """An instrument that cannot be used, naming its source and every problem found."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseScale(_Strict):
    """The whole numbers a respondent may answer with, and optionally a label for each."""

    min: int
    max: int
    labels: list[str] = []

    @model_validator(mode="after")
    def _bounds(self) -> ResponseScale:
        if self.min >= self.max:
            raise ValueError(f"scale min ({self.min}) must be below its max ({self.max})")
        points = self.max - self.min + 1
        if points > MAX_SCALE_POINTS:
            raise ValueError(f"scale {self.min}-{self.max} has {points} points; at most 11")
        if self.labels and len(self.labels) != points:
            raise ValueError(
                f"scale {self.min}-{self.max} has {points} points but {len(self.labels)} labels"
            )
        return self

    def flip(self, value: int) -> int:
        """The answer a reverse-worded item's value stands for."""
        return self.min + self.max - value


class Item(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=50)]
    text: Annotated[str, Field(min_length=1)]
    measures: Annotated[str, Field(pattern=SLUG, max_length=100)]
    reverse: bool = False


class Instrument(_Strict):
    """A validated instrument. `scales`, when given, lists every scale it sets out to measure."""

    name: Annotated[str, Field(pattern=SLUG, max_length=100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    scale: ResponseScale
    scales: list[str] | None = None
    items: Annotated[list[Item], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        problems = []
        ids = Counter(item.id for item in self.items)
        problems += [f"item id {i!r} is used {n} times" for i, n in ids.items() if n > 1]
        problems += [
            f"item {item.id!r} reuses the fixed column name {item.id!r}"
            for item in self.items
            if item.id in FIXED_COLUMNS
        ]
        if self.scales is not None:
            declared = Counter(self.scales)
            problems += [f"scale {s!r} is listed {n} times" for s, n in declared.items() if n > 1]
            problems += [
                f"item {item.id!r} measures {item.measures!r}, which is not in `scales`"
                for item in self.items
                if item.measures not in declared
            ]
            measured = {item.measures for item in self.items}
            problems += [f"scale {s!r} has no items" for s in declared if s not in measured]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def scale_items(self) -> dict[str, list[Item]]:
        """Each scale's items, scales in the order they are declared (or first measured)."""
        order = self.scales or list(dict.fromkeys(item.measures for item in self.items))
        return {scale: [i for i in self.items if i.measures == scale] for scale in order}

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    def body(self) -> dict[str, Any]:
        """The instrument as plain data, as it is stored in the registry."""
        return self.model_dump(mode="json", exclude_none=True)

    def digest(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _where(raw: object, loc: tuple[int | str, ...]) -> str:
    """A validation error's place, naming the item by its id when the data gives one."""
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = raw.get("items") if isinstance(raw, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        label = f"item {item['id']!r}" if isinstance(item, dict) and "id" in item else ""
        rest = ".".join(str(p) for p in loc[2:])
        return " ".join(part for part in (f"items[{loc[1]}]", label, rest) if part)
    return ".".join(str(p) for p in loc) or "(top)"


def parse_instrument(raw: object, source: str) -> Instrument:
    """Validate instrument data; `source` (a file name, or a registry entry) prefixes any error."""
    try:
        return Instrument.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(raw, tuple(err['loc']))}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise InstrumentInvalid(f"{source}: {problems}") from None


def load_instrument_file(path: Path) -> Instrument:
    """Read and validate one instrument YAML file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentInvalid(f"{path}: file is missing") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InstrumentInvalid(f"{path}: not valid YAML: {exc}") from None
    return parse_instrument(raw, str(path))
