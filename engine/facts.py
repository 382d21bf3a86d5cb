"""What a gate may look at: a snapshot gathered by the caller before it asks the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Document = Mapping[str, Any]


@dataclass(frozen=True)
class CycleProgress:
    """How far one of a school's cycles has come (for program-phase gates)."""

    condition: str
    state: str
    reviews_concluded: int


@dataclass(frozen=True)
class InstanceState:
    """The part of an instance the engine owns; the caller copies it onto its row."""

    state: str
    iteration: int = 1
    launched_on: dt.date | None = None


@dataclass(frozen=True)
class Facts:
    """What the caller gathered for the gates: the documents and the moment.

    The instance's own state (its launch date) and its definition's condition
    reach the gates through GateContext, so they cannot disagree with the row.

    `artifacts` holds the current revision of each artifact in the instance's
    current iteration; `records` every current record of each repeatable kind.
    `revisions` numbers that current revision per (non-repeatable) artifact kind,
    `signed_off` names the highest revision of each kind a coach has signed off in
    the iteration, and `signoff_triggers` are the triggers the program wants a coach
    to sign off the artifacts of, on top of what the definition asks.
    """

    today: dt.date
    reason: str | None = None
    artifacts: Mapping[str, Document] = field(default_factory=dict)
    records: Mapping[str, Sequence[Document]] = field(default_factory=dict)
    school_cycles: Sequence[CycleProgress] = ()
    revisions: Mapping[str, int] = field(default_factory=dict)
    signed_off: Mapping[str, int] = field(default_factory=dict)
    signoff_triggers: frozenset[str] = frozenset()
