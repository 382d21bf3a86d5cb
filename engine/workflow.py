"""A compiled workflow: one `transitions` machine per definition, shared by every instance.

The machine is built once per definition body and cached by its hash. It is
never bound to a team, a row or an ORM object: each call hands it a throwaway
`_Holder` carrying the instance's state, so one machine serves every cycle.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from transitions import EventData, Machine
from transitions.extensions.diagrams import GraphMachine
from transitions.extensions.diagrams_mermaid import Graph

from engine.artifacts import ArtifactCatalog, ArtifactStatus
from engine.content import ContentPack
from engine.definitions import Definition, GateRef, TransitionDef
from engine.errors import (
    DefinitionError,
    GatesUnmet,
    InstanceClosed,
    TriggerNotAvailable,
    UnknownTrigger,
    Unmet,
)
from engine.facts import Facts, InstanceState
from engine.gates import REGISTRY, GateContext

MIGRATE = "migrate"
"""The pseudo-trigger recorded when an instance moves to a new definition version."""

SIGNOFF = "coach_signoff"
"""The gate a program adds to the triggers it wants a coach to sign off."""


AVAILABLE_FROM = "available_from"
"""The pseudo-gate a trigger fails while the instance is in a state it does not leave from."""


@dataclass(frozen=True)
class TriggerStatus:
    """One trigger of the definition as things stand: may it fire now, and if not, why not.

    `available` says whether the trigger leaves the current state at all; the others are
    listed too (not allowed, with the states they leave from) so a client sees every step.
    """

    name: str
    dest: str
    allowed: bool
    unmet: tuple[Unmet, ...] = ()
    needs_reason: bool = False
    available: bool = True


@dataclass(frozen=True)
class StageView:
    """What a team needs to see about where an instance stands."""

    state: str
    title: str
    goal: str
    final: bool
    iteration: int
    required: tuple[ArtifactStatus, ...]
    triggers: tuple[TriggerStatus, ...]

    @property
    def available_triggers(self) -> tuple[TriggerStatus, ...]:
        """The triggers that leave the current state: the steps a team may take from here."""
        return tuple(t for t in self.triggers if t.available)


@dataclass(frozen=True)
class Event:
    """A transition to append to the history, exactly as it happened."""

    trigger: str
    from_state: str
    to_state: str
    iteration: int
    reason: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    instance: InstanceState
    event: Event


class _Holder:
    """The minimal model `transitions` needs: an object with a `state` attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


Verdicts = dict[GateRef, str | None]
"""Each gate of a transition as it applies now: None when it holds, else the reason it does not."""


class _GateCondition:
    """A gate as a `transitions` condition: it holds if the fire judged it met, or overrides it.

    The fire judges every gate once, before it asks the machine (it must list each unmet
    one with its reason), and hands the machine those verdicts rather than judging again.
    """

    def __init__(self, ref: GateRef) -> None:
        self.ref = ref

    def __call__(self, event: EventData) -> bool:
        if event.kwargs["override"]:
            return True
        verdicts: Verdicts = event.kwargs["verdicts"]
        return verdicts[self.ref] is None


class Workflow:
    """A definition ready to answer questions about, and move, any of its instances."""

    def __init__(self, definition: Definition, content: ContentPack) -> None:
        self.definition = definition
        self.content = content
        self.artifacts = ArtifactCatalog(content)
        self._by_source = {(t.trigger, t.source): t for t in definition.transitions}
        # Asked on every fire: kept as sets rather than found again in the definition's lists.
        self._triggers = frozenset(definition.triggers)
        self._final = {s.name: s.final for s in definition.states}
        self._elsewhere = {s.name: self._not_from(s.name) for s in definition.states}
        self._machine = Machine(
            model=None,
            states=[s.name for s in definition.states],
            initial=definition.initial,
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": t.source,
                    "dest": t.dest,
                    "conditions": [_GateCondition(g) for g in t.gates],
                }
                for t in definition.transitions
            ],
            auto_transitions=False,
            send_event=True,
        )
        # Built once: the sign-off gates each transition gains when its program asks for them.
        self._program_signoffs = {
            (t.trigger, t.source): self._signoffs_for(t) for t in definition.transitions
        }

    def _signoffs_for(self, transition: TransitionDef) -> tuple[GateRef, ...]:
        """One sign-off per document the transition's `complete:` gates name, unless it has one."""
        if self.definition.kind not in REGISTRY[SIGNOFF].kinds:
            return ()
        named = {g.arg for g in transition.gates if g.gate == SIGNOFF}
        kinds = [
            str(g.arg)
            for g in transition.gates
            if g.gate == "complete" and g.arg not in named
            if not self.artifacts[str(g.arg)].spec.repeatable
        ]
        return tuple(GateRef(gate=SIGNOFF, arg=kind) for kind in dict.fromkeys(kinds))

    def gates(self, transition: TransitionDef, signoff_triggers: Collection[str]) -> list[GateRef]:
        """The transition's gates as they apply now: the definition's, then the program's."""
        if transition.trigger not in signoff_triggers:
            return list(transition.gates)
        return [*transition.gates, *self._program_signoffs[(transition.trigger, transition.source)]]

    def signoff_kinds(self, trigger: str, signoff_triggers: Collection[str]) -> list[str]:
        """The artifact kinds a coach's sign-off counts for on `trigger`, from any state."""
        if trigger not in self.definition.triggers:
            raise UnknownTrigger(trigger, self.name)
        kinds = [
            str(g.arg)
            for t in self.definition.transitions
            if t.trigger == trigger
            for g in self.gates(t, signoff_triggers)
            if g.gate == SIGNOFF
        ]
        return list(dict.fromkeys(kinds))

    @property
    def name(self) -> str:
        return self.definition.name

    def start(self) -> InstanceState:
        return InstanceState(state=self.definition.initial)

    @cached_property
    def names_signoffs(self) -> bool:
        """Whether any transition of the definition itself asks for a coach's sign-off."""
        return any(g.gate == SIGNOFF for t in self.definition.transitions for g in t.gates)

    @cached_property
    def artifact_kinds(self) -> list[str]:
        """The artifact kinds an instance of this workflow may hold."""
        return list(dict.fromkeys(k for s in self.definition.states for k in s.requires))

    def _not_from(self, state: str) -> tuple[TriggerStatus, ...]:
        """The triggers that do not leave `state`, each with the states it does leave from."""
        statuses = []
        for trigger in self.definition.triggers:
            leaving = [t for t in self.definition.transitions if t.trigger == trigger]
            if any(t.source == state for t in leaving):
                continue
            sources = ", ".join(dict.fromkeys(t.source for t in leaving))
            reason = (
                f"{state} is the end: no step leaves it."
                if self._final[state]
                else f"{trigger} is taken from {sources}, not from {state}."
            )
            statuses.append(
                TriggerStatus(
                    name=trigger,
                    dest=leaving[0].dest,
                    allowed=False,
                    unmet=(Unmet(AVAILABLE_FROM, reason),),
                    needs_reason=_needs_reason(leaving[0]),
                    available=False,
                )
            )
        return tuple(statuses)

    def is_final(self, state: str) -> bool:
        return self._final[state]

    def stage_text(self, state: str) -> tuple[str, str]:
        """The title and goal a person reads for a state."""
        stage = self.definition.state(state).stage
        if self.definition.kind == "cycle" and stage:
            guide = self.content.conditions[self.definition.condition or ""].stages[stage]
            return guide.title, guide.goal
        if self.definition.kind == "onboarding" and stage:
            guide = self.content.onboarding.stages[stage]  # type: ignore[index]
            return guide.title, guide.goal
        if self.definition.kind == "program_phases" and stage:
            phase = self.content.program_phases.phases[stage]  # type: ignore[index]
            return phase.title, phase.goal
        return state.replace("_", " ").capitalize(), "This work is finished."

    def _transition(self, trigger: str, state: str) -> TransitionDef:
        if trigger not in self._triggers:
            raise UnknownTrigger(trigger, self.name)
        if self.is_final(state):
            raise InstanceClosed(state)
        found = self._by_source.get((trigger, state))
        if found is None:
            raise TriggerNotAvailable(trigger, state)
        return found

    def _context(self, instance: InstanceState, facts: Facts) -> GateContext:
        return GateContext(facts, self.artifacts, instance, self.definition.condition)

    def unmet(self, trigger: str, instance: InstanceState, facts: Facts) -> list[Unmet]:
        """Every gate of `trigger` that does not hold now, each with its reason.

        A trigger the program wants signed off also owes a coach's sign-off of the
        current revision of each document its `complete:` gates name.
        """
        transition = self._transition(trigger, instance.state)
        return _unmet(self._judge(transition, instance, facts))

    def _judge(self, transition: TransitionDef, instance: InstanceState, facts: Facts) -> Verdicts:
        ctx = self._context(instance, facts)
        return {
            ref: REGISTRY[ref.gate].check(ctx, ref.arg)
            for ref in self.gates(transition, facts.signoff_triggers)
        }

    def required(self, instance: InstanceState, facts: Facts) -> tuple[ArtifactStatus, ...]:
        """The status of each document the instance's state requires (a view without gates)."""
        state = self.definition.state(instance.state)
        return tuple(
            self.artifacts[kind].status(self._current(kind, facts)) for kind in state.requires
        )

    def view(self, instance: InstanceState, facts: Facts) -> StageView:
        """Where the instance stands: its stage, what it still owes, and what it may do next."""
        state = self.definition.state(instance.state)
        title, goal = self.stage_text(instance.state)
        required = self.required(instance, facts)
        here = tuple(
            TriggerStatus(
                name=t.trigger,
                dest=t.dest,
                allowed=not (unmet := self.unmet(t.trigger, instance, facts)),
                unmet=tuple(unmet),
                needs_reason=_needs_reason(t),
            )
            for t in self.definition.transitions
            if t.source == instance.state
        )
        return StageView(
            instance.state,
            title,
            goal,
            state.final,
            instance.iteration,
            required,
            here + self._elsewhere[instance.state],
        )

    def _current(self, kind: str, facts: Facts) -> dict[str, Any] | None:
        if self.artifacts[kind].spec.repeatable:
            records = facts.records.get(kind) or []
            return dict(records[-1]) if records else None
        doc = facts.artifacts.get(kind)
        return dict(doc) if doc is not None else None

    def fire(
        self,
        trigger: str,
        instance: InstanceState,
        facts: Facts,
        *,
        override: bool = False,
    ) -> Outcome:
        """Move the instance, or raise the refusal that explains why not.

        `override` (for overridable transitions only) passes unmet gates, which
        are then listed in the event; it still needs a written reason. Every gate is
        judged once, here: the shared machine knows only the definition's gates, so the
        sign-offs a program adds are enforced before it is asked, and its conditions
        read the same verdicts.
        """
        transition = self._transition(trigger, instance.state)
        verdicts = self._judge(transition, instance, facts)
        unmet = _unmet(verdicts)
        overridden: list[Unmet] = []
        if override:
            if not transition.overridable:
                raise GatesUnmet(trigger, [Unmet("override", f"{trigger} cannot be overridden.")])
            if not (facts.reason or "").strip():
                raise GatesUnmet(
                    trigger, [Unmet("reason_given", "An override needs a written reason.")]
                )
            overridden, unmet = unmet, []
        if unmet:
            raise GatesUnmet(trigger, unmet)
        holder = _Holder(instance.state)
        moved = self._machine.events[trigger].trigger(holder, verdicts=verdicts, override=override)
        if not moved:  # the gates were checked just above, so this is a bug, not a refusal
            raise RuntimeError(f"transitions refused {trigger} from {instance.state}")
        moved_to = InstanceState(holder.state, instance.iteration, instance.launched_on)
        after = self._apply_effects(transition, moved_to, facts.today)
        details: dict[str, Any] = {}
        if overridden:
            details["overridden"] = [{"gate": u.gate, "reason": u.reason} for u in overridden]
        event = Event(trigger, instance.state, after.state, after.iteration, facts.reason, details)
        return Outcome(after, event)

    @staticmethod
    def _apply_effects(
        transition: TransitionDef, instance: InstanceState, today: dt.date
    ) -> InstanceState:
        for effect in transition.effects:
            if effect == "record_launch":
                instance = replace(instance, launched_on=today)
            elif effect == "next_iteration":
                instance = replace(instance, iteration=instance.iteration + 1, launched_on=None)
        return instance

    def replay(self, events: Iterable[tuple[str, str | None, str]]) -> InstanceState:
        """Rebuild state and iteration from (trigger, from_state, to_state) history rows.

        Raises ValueError at the first row that does not follow from the ones before it.
        """
        instance: InstanceState | None = None
        for number, (trigger, from_state, to_state) in enumerate(events, start=1):
            if instance is None:
                if from_state is not None or to_state != self.definition.initial:
                    raise ValueError(f"event 1 should start in {self.definition.initial!r}")
                instance = self.start()
                continue
            if from_state != instance.state:
                raise ValueError(
                    f"event {number} leaves {from_state!r}, but the state was {instance.state!r}"
                )
            if trigger == MIGRATE:
                instance = replace(instance, state=to_state)
                continue
            transition = self._by_source.get((trigger, from_state))
            if transition is None or transition.dest != to_state:
                raise ValueError(
                    f"event {number}: {trigger} does not lead from {from_state!r} to {to_state!r}"
                )
            instance = replace(instance, state=to_state)
            if "next_iteration" in transition.effects:
                instance = replace(instance, iteration=instance.iteration + 1)
        if instance is None:
            raise ValueError("the history is empty")
        return instance

    @cached_property
    def _diagram_machine(self) -> GraphMachine:
        return GraphMachine(
            model=None,
            states=[s.name for s in self.definition.states],
            initial=self.definition.initial,
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": t.source,
                    "dest": t.dest,
                    "conditions": [g.label() for g in t.gates],
                }
                for t in self.definition.transitions
            ],
            auto_transitions=False,
            graph_engine="mermaid",
            show_conditions=True,
            title=self.definition.title,
        )

    def mermaid(self, highlight: str | None = None) -> str:
        """The state diagram as Mermaid text, with `highlight` marked as the active state."""
        graph = Graph(self._diagram_machine)
        if highlight is not None:
            graph.set_node_style(highlight, "active")
        return graph.get_graph(title=self.definition.title).source


def _unmet(verdicts: Verdicts) -> list[Unmet]:
    return [Unmet(ref.label(), reason) for ref, reason in verdicts.items() if reason is not None]


_compiled: dict[tuple[str, str], Workflow] = {}
_lock = threading.Lock()


def compile_workflow(definition: Definition, content: ContentPack) -> Workflow:
    """The workflow for a definition body, built once per body and content pack."""
    key = (definition.digest, content.root)
    with _lock:
        workflow = _compiled.get(key)
        if workflow is None:
            if definition.kind == "cycle" and definition.condition not in content.conditions:
                raise DefinitionError(
                    definition.name, "its condition has no guide in the content pack"
                )
            workflow = _compiled[key] = Workflow(definition, content)
    return workflow


def _needs_reason(transition: TransitionDef) -> bool:
    return any(g.gate == "reason_given" for g in transition.gates)
