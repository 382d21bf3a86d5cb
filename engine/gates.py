"""The gate registry: named checks a definition may put on a transition.

A definition names gates (`complete: theory_of_action`); it never names code.
Each gate says which workflow kinds may use it and what argument it takes, so
a definition is checked against this registry when it is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from engine.artifacts import ArtifactCatalog
from engine.facts import Facts, InstanceState

ArgKind = Literal["artifact", "cycle_state", "count", "decision_choice", None]
WorkflowKind = Literal["cycle", "onboarding", "program_phases"]

# The order a cycle's states come in, used by gates that ask "how far has it got?".
CYCLE_PROGRESSION = ("why", "how", "implement", "review", "decide", "closed")


@dataclass(frozen=True)
class GateContext:
    facts: Facts
    artifacts: ArtifactCatalog
    instance: InstanceState
    condition: str | None


Check = Callable[[GateContext, Any], str | None]


@dataclass(frozen=True)
class Gate:
    """A named check. `check` returns None when the gate holds, else a reason to show."""

    name: str
    check: Check
    kinds: frozenset[WorkflowKind]
    arg: ArgKind
    summary: str


REGISTRY: dict[str, Gate] = {}


def gate(
    name: str, *, kinds: set[WorkflowKind], arg: ArgKind, summary: str
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        REGISTRY[name] = Gate(name, check, frozenset(kinds), arg, summary)
        return check

    return register


def _title(ctx: GateContext, kind: str) -> str:
    return ctx.artifacts[kind].spec.title


def _gap_text(label: str, problem: str) -> str:
    """'Goal is blank', or 'Theory of action: Write it ...' when the problem is a sentence."""
    problem = problem.rstrip(".")
    return f"{label}: {problem}" if problem[:1].isupper() else f"{label} {problem}"


@gate(
    "complete",
    kinds={"cycle", "onboarding"},
    arg="artifact",
    summary="the named artifact is written in full",
)
def _complete(ctx: GateContext, kind: str) -> str | None:
    status = ctx.artifacts[kind].status(ctx.facts.artifacts.get(kind))
    if status.status == "missing":
        return f"Write the {_title(ctx, kind).lower()}: it has not been started."
    if status.status == "incomplete":
        artifact = ctx.artifacts[kind]
        gaps = "; ".join(_gap_text(artifact.label(g.field), g.problem) for g in status.missing)
        return f"Finish the {_title(ctx, kind).lower()}: {gaps}."
    return None


@gate(
    "coach_signoff",
    kinds={"cycle"},
    arg="artifact",
    summary="a coach has signed off the named artifact as it stands now",
)
def _coach_signoff(ctx: GateContext, kind: str) -> str | None:
    title = _title(ctx, kind).lower()
    if ctx.artifacts[kind].spec.repeatable:
        return f"The {title} is a set of records; a coach signs off single documents only."
    current = ctx.facts.revisions.get(kind)
    if current is None:
        return f"Write the {title}, then ask a coach to sign it off."
    signed = ctx.facts.signed_off.get(kind)
    # A sign-off approves one revision: any later edit needs a fresh look from the coach.
    if signed is not None and signed >= current:
        return None
    last = f"the last sign-off was on revision {signed}" if signed else "it has no sign-off yet"
    return f"A coach must sign off the {title} as it stands now (revision {current}); {last}."


def _records_since_launch(ctx: GateContext) -> list[dict[str, Any]]:
    launched = ctx.instance.launched_on or dt.date.max
    return [
        dict(r)
        for r in ctx.facts.records.get("data_collection", ())
        if r.get("collected_on") and dt.date.fromisoformat(str(r["collected_on"])) >= launched
    ]


@gate(
    "data_since_launch",
    kinds={"cycle"},
    arg=None,
    summary="at least one data collection dated on or after the launch",
)
def _data_since_launch(ctx: GateContext, _: None) -> str | None:
    if ctx.instance.launched_on is None:
        return "Launch the test first: data is collected after the launch."
    if not _records_since_launch(ctx):
        return (
            "Record at least one data collection dated on or after the launch "
            f"({ctx.instance.launched_on.isoformat()})."
        )
    return None


@gate(
    "distinct_sources",
    kinds={"cycle"},
    arg="count",
    summary="data collected since the launch comes from at least N kinds of source",
)
def _distinct_sources(ctx: GateContext, count: int) -> str | None:
    sources = {r.get("source") for r in _records_since_launch(ctx)}
    if len(sources) < count:
        return (
            f"Collect data from at least {count} different kinds of source since the launch "
            f"(so far: {len(sources)})."
        )
    return None


@gate(
    "people_involved",
    kinds={"cycle"},
    arg="count",
    summary="the purpose map names at least N people or groups",
)
def _people_involved(ctx: GateContext, count: int) -> str | None:
    people = ctx.facts.artifacts.get("purpose_map", {}).get("people") or []
    if len(people) < count:
        return f"Name at least {count} people or groups in the purpose map (so far: {len(people)})."
    return None


@gate(
    "decided",
    kinds={"cycle"},
    arg="decision_choice",
    summary="a decision with this choice and a rationale is recorded",
)
def _decided(ctx: GateContext, choice: str) -> str | None:
    decision = ctx.facts.artifacts.get("decision") or {}
    label = choice.replace("_", " ")
    if decision.get("choice") != choice:
        return f"Record a decision to {label}."
    if not str(decision.get("rationale") or "").strip():
        return f"Give the rationale for the decision to {label}."
    if choice == "move_on":
        next_condition = decision.get("next_condition")
        if not next_condition:
            return "Name the condition to move on to."
        if next_condition == ctx.condition:
            return "The next condition must be a different one; to stay, choose revisit."
    return None


@gate(
    "reason_given",
    kinds={"cycle", "onboarding", "program_phases"},
    arg=None,
    summary="the person firing it writes a reason",
)
def _reason_given(ctx: GateContext, _: None) -> str | None:
    if not (ctx.facts.reason or "").strip():
        return "Write the reason for this step."
    return None


@gate(
    "rated_every_condition",
    kinds={"onboarding"},
    arg=None,
    summary="the self-assessment rates at least one dimension of every condition",
)
def _rated_every_condition(ctx: GateContext, _: None) -> str | None:
    ratings = ctx.facts.artifacts.get("self_assessment", {}).get("ratings") or []
    rated = {r.get("condition") for r in ratings}
    unrated = [c for c in ctx.artifacts.conditions if c not in rated]
    if unrated:
        return f"Rate the school on every condition; still unrated: {', '.join(unrated)}."
    return None


@gate(
    "school_cycle_reached",
    kinds={"program_phases"},
    arg="cycle_state",
    summary="one of the school's cycles has reached this state",
)
def _school_cycle_reached(ctx: GateContext, state: str) -> str | None:
    needed = CYCLE_PROGRESSION.index(state)
    if any(
        c.reviews_concluded > 0 or CYCLE_PROGRESSION.index(c.state) >= needed
        for c in ctx.facts.school_cycles
    ):
        return None
    return f"One of the school's teams must bring a cycle as far as {state!r}."


@gate(
    "reviews_concluded",
    kinds={"program_phases"},
    arg="count",
    summary="the school's teams have concluded at least N reviews",
)
def _reviews_concluded(ctx: GateContext, count: int) -> str | None:
    done = sum(c.reviews_concluded for c in ctx.facts.school_cycles)
    if done < count:
        reviews = "review" if count == 1 else "reviews"
        return f"The school's teams must conclude {count} {reviews} of a test (so far: {done})."
    return None
