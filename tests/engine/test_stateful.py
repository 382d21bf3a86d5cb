"""A random team at work: documents saved, days passing, triggers fired in any order.

Whatever happens, a fire succeeds exactly when no gate was unmet just before it, a refusal
leaves the cycle where it was, and the recorded history replays to the current state. Every
fire that succeeds is also checked against the issue's gate table, written here apart from
the engine, so a mistake shared by the engine's `unmet` and `fire` would still be caught.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from engine_factories import (
    LAUNCH,
    action_timeline,
    data_collection,
    decision,
    impact_assessment,
    purpose_map,
    theory_of_action,
    workflow,
)
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from engine.errors import EngineError, GatesUnmet
from engine.facts import Facts

TEXT = st.sampled_from([None, "", "  ", "Written down."])
LINES = st.lists(st.sampled_from(["", "A step."]), max_size=3)
TRIGGERS = [*workflow().definition.triggers, "jump_ahead"]
SOURCES = ("survey", "observation", "feedback", "records", "other")
LAUNCHED_STATES = {"implement", "review", "decide"}
SINGLE_KINDS = (
    "theory_of_action",
    "purpose_map",
    "action_timeline",
    "impact_assessment",
    "decision",
)
FORWARD = {
    "why": "start_planning",
    "how": "launch_test",
    "implement": "start_review",
    "review": "conclude_review",
}
COMPLETE = {
    "theory_of_action": theory_of_action,
    "purpose_map": purpose_map,
    "action_timeline": action_timeline,
    "impact_assessment": impact_assessment,
}


def half_written(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A draft with any of its fields left out."""
    return st.fixed_dictionaries({}, optional=fields)


def documents(condition: str) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """For each single-document kind: a complete document, or a draft written any old how."""
    return {
        "theory_of_action": st.one_of(
            st.just(theory_of_action()),
            half_written(
                {
                    **dict.fromkeys(
                        ("goal", "problem_of_practice", "staff_evidence", "barrier"), TEXT
                    ),
                    "approach": TEXT,
                    "statement": st.sampled_from(["If we try, then it works.", "We will try."]),
                }
            ),
        ),
        "purpose_map": st.one_of(
            st.builds(purpose_map, people=st.integers(0, 4)),
            half_written(
                {
                    "vision": TEXT,
                    "idea_to_test": TEXT,
                    "people": st.lists(half_written({"name": TEXT, "part": TEXT}), max_size=4),
                    "first_steps": LINES,
                    "success_measures": LINES,
                }
            ),
        ),
        "action_timeline": st.one_of(
            st.just(action_timeline()),
            st.builds(action_timeline, owner=TEXT, status=st.sampled_from([None, "doing"])),
        ),
        "impact_assessment": st.one_of(
            st.just(impact_assessment()),
            half_written({"findings": TEXT, "goal_progress": st.sampled_from(["met", None])}),
        ),
        "decision": st.builds(
            decision,
            choice=st.sampled_from([None, "revisit", "move_on"]),
            rationale=TEXT,
            next_condition=st.sampled_from([None, condition, "capacity-and-resources"]),
        ),
    }


def _written(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _all_written(document: dict[str, Any] | None, *fields: str) -> bool:
    return document is not None and all(_written(document.get(f)) for f in fields)


def _listed(document: dict[str, Any] | None, field: str) -> bool:
    values = (document or {}).get(field) or []
    return bool(values) and all(_written(v) for v in values)


def what_the_table_requires(
    trigger: str,
    condition: str,
    artifacts: dict[str, dict[str, Any]],
    records: list[dict[str, Any]],
    launched_on: dt.date | None,
    reason: str | None,
) -> bool:
    """The gate table of the issue, written apart from the engine: what must hold to move.

    A looser reading than the engine's (it does not check the statement's exact shape or
    the extra gates of some conditions), so a fire it rejects is one the engine must refuse.
    """
    toa, plan = artifacts.get("theory_of_action"), artifacts.get("purpose_map")
    timeline, impact = artifacts.get("action_timeline"), artifacts.get("impact_assessment")
    choice = artifacts.get("decision") or {}
    match trigger:
        case "start_planning":
            fields = ("goal", "problem_of_practice", "staff_evidence", "barrier", "approach")
            statement = (toa or {}).get("statement") or ""
            return _all_written(toa, *fields) and "If" in statement and "then" in statement
        case "launch_test":
            people = (plan or {}).get("people") or []
            items = (timeline or {}).get("items") or []
            return (
                _all_written(plan, "vision", "idea_to_test")
                and _listed(plan, "first_steps")
                and _listed(plan, "success_measures")
                and bool(people)
                and all(_all_written(p, "name", "part") for p in people)
                and bool(items)
                and all(
                    _all_written(i, "action", "owner", "success_evidence")
                    and i.get("due")
                    and i.get("status") in ("planned", "doing", "done")
                    for i in items
                )
            )
        case "start_review":
            return launched_on is not None and any(
                dt.date.fromisoformat(str(r["collected_on"])) >= launched_on for r in records
            )
        case "conclude_review":
            return _all_written(impact, "findings", "evidence", "adjustments") and (
                (impact or {}).get("goal_progress") in ("met", "partly_met", "not_met")
            )
        case "revisit":
            return choice.get("choice") == "revisit" and _written(choice.get("rationale"))
        case "move_on":
            return (
                choice.get("choice") == "move_on"
                and _written(choice.get("rationale"))
                and _written(choice.get("next_condition"))
                and choice.get("next_condition") != condition
            )
        case "step_back":
            return _written(reason)
    raise AssertionError(f"the table has no row for {trigger}")


class CycleWalk(RuleBasedStateMachine):
    """One cycle of `condition`, driven at random; each subclass walks another condition."""

    condition = "vision-and-strategy"

    def __init__(self) -> None:
        super().__init__()
        self.workflow = workflow(self.condition)
        self.documents = documents(self.condition)
        self.instance = self.workflow.start()
        self.today = LAUNCH
        self.artifacts: dict[str, dict[str, Any]] = {}
        self.records: list[dict[str, Any]] = []
        self.history: list[tuple[str, str | None, str]] = [("start", None, self.instance.state)]

    def facts(self, reason: str | None) -> Facts:
        return Facts(
            today=self.today,
            reason=reason,
            artifacts=dict(self.artifacts),
            records={"data_collection": list(self.records)},
        )

    def is_open(self) -> bool:
        return not self.workflow.is_final(self.instance.state)

    def save(self, kind: str, draft: dict[str, Any]) -> None:
        self.artifacts[kind] = self.workflow.artifacts[kind].validate_draft(draft)

    def record(self, collected_on: dt.date, source: str) -> None:
        draft = data_collection(collected_on, source)
        self.records.append(self.workflow.artifacts["data_collection"].validate_draft(draft))

    @precondition(is_open)
    @rule(data=st.data(), kind=st.sampled_from(SINGLE_KINDS))
    def save_a_document(self, data: st.DataObject, kind: str) -> None:
        self.save(kind, data.draw(self.documents[kind], label=kind))

    @precondition(is_open)
    @rule(days_ago=st.integers(0, 3), source=st.sampled_from(SOURCES))
    def collect_data(self, days_ago: int, source: str) -> None:
        self.record(self.today - dt.timedelta(days=days_ago), source)

    @precondition(is_open)
    @rule(choice=st.sampled_from(["revisit", "move_on"]))
    def finish_this_stage(self, choice: str) -> None:
        """A diligent team, so that walks also get past the gates and reach the decision."""
        for kind in self.workflow.definition.state(self.instance.state).requires:
            if kind == "data_collection":
                self.record(self.today, "survey")
                self.record(self.today, "observation")
            elif kind == "decision":
                self.save(kind, decision(choice, next_condition="capacity-and-resources"))
            else:
                self.save(kind, COMPLETE[kind]())
        forward = FORWARD.get(self.instance.state, choice)
        self.attempt(forward, None)

    @rule(days=st.integers(1, 4))
    def days_pass(self, days: int) -> None:
        self.today += dt.timedelta(days=days)

    @rule(
        trigger=st.sampled_from(TRIGGERS),
        reason=st.sampled_from([None, "", "We learned something."]),
    )
    def fire_any_trigger(self, trigger: str, reason: str | None) -> None:
        self.attempt(trigger, reason)

    @precondition(is_open)
    @rule(data=st.data(), reason=st.sampled_from([None, "We learned something."]))
    def fire_a_trigger_of_this_state(self, data: st.DataObject, reason: str | None) -> None:
        exits = [t for t in self.workflow.definition.transitions if t.source == self.instance.state]
        self.attempt(
            data.draw(st.sampled_from([t.trigger for t in exits]), label="trigger"), reason
        )

    def attempt(self, trigger: str, reason: str | None) -> None:
        """Ask what is unmet, then fire: the answer must predict the outcome exactly."""
        given = self.facts(reason)
        before = self.instance
        snapshot = dataclasses.astuple(before)
        try:
            unmet = self.workflow.unmet(trigger, before, given)
        except EngineError as not_here:
            with pytest.raises(type(not_here)):
                self.workflow.fire(trigger, before, given)
            return
        try:
            outcome = self.workflow.fire(trigger, before, given)
        except GatesUnmet as refused:
            assert unmet, f"{trigger} was refused though every gate held"
            assert refused.unmet == unmet
            assert dataclasses.astuple(before) == snapshot
            return
        assert unmet == [], f"{trigger} fired past unmet gates: {unmet}"
        assert what_the_table_requires(
            trigger,
            self.condition,
            dict(given.artifacts),
            list(given.records["data_collection"]),
            before.launched_on,
            reason,
        ), f"{trigger} fired from {before.state} though the issue's gate table does not hold"
        event = outcome.event
        assert (event.trigger, event.from_state, event.iteration) == (
            trigger,
            before.state,
            outcome.instance.iteration,
        )
        self.instance = outcome.instance
        self.history.append((event.trigger, event.from_state, event.to_state))
        if trigger == "launch_test":
            assert self.instance.launched_on == self.today
        if self.instance.iteration != before.iteration:
            assert self.instance.iteration == before.iteration + 1
            assert self.instance.launched_on is None
            self.artifacts, self.records = {}, []

    @invariant()
    def the_history_replays_to_the_current_state(self) -> None:
        replayed = self.workflow.replay(self.history)
        assert replayed.state == self.instance.state
        assert replayed.iteration == self.instance.iteration

    @invariant()
    def a_launched_stage_has_a_launch_date_no_later_than_today(self) -> None:
        if self.instance.state in LAUNCHED_STATES:
            assert self.instance.launched_on is not None
            assert self.instance.launched_on <= self.today


class SharedInfluenceWalk(CycleWalk):
    condition = "shared-influence"


class OrientationToImproveWalk(CycleWalk):
    condition = "orientation-to-improve"


WALK = settings(max_examples=60, stateful_step_count=30, deadline=None, database=None)

TestVisionAndStrategyCycle = CycleWalk.TestCase
TestVisionAndStrategyCycle.settings = WALK
TestSharedInfluenceCycle = SharedInfluenceWalk.TestCase
TestSharedInfluenceCycle.settings = WALK
TestOrientationToImproveCycle = OrientationToImproveWalk.TestCase
TestOrientationToImproveCycle.settings = WALK
