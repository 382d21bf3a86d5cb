"""The coach's sign-off: a program may ask for one on a trigger, and it holds for one revision."""

from __future__ import annotations

from typing import Any

import pytest
from engine_factories import action_timeline, content, definitions, facts, purpose_map, workflow

from engine.definitions import parse, validate
from engine.errors import DefinitionError, GatesUnmet
from engine.facts import Facts, InstanceState
from engine.workflow import Workflow, compile_workflow

CONDITION = "vision-and-strategy"
HOW = InstanceState(state="how")
WRITTEN = {"purpose_map": purpose_map(), "action_timeline": action_timeline()}
SIGNOFFS = ["coach_signoff: purpose_map", "coach_signoff: action_timeline"]


def launch_facts(
    *,
    revisions: dict[str, int] | None = None,
    signed_off: dict[str, int] | None = None,
    signoff_triggers: frozenset[str] = frozenset({"launch_test"}),
    **given: Any,
) -> Facts:
    """Both plans written in full (purpose map at revision 2), in a program wanting sign-off."""
    given.setdefault("artifacts", WRITTEN)
    return facts(
        revisions={"purpose_map": 2, "action_timeline": 1} if revisions is None else revisions,
        signed_off=signed_off or {},
        signoff_triggers=signoff_triggers,
        **given,
    )


def unmet(trigger: str, given: Facts, flow: Workflow | None = None) -> dict[str, str]:
    return {u.gate: u.reason for u in (flow or workflow(CONDITION)).unmet(trigger, HOW, given)}


def with_static_gate(trigger: str, gate: object, name: str = CONDITION) -> dict[str, Any]:
    body = definitions()[name].body()
    for t in body["transitions"]:
        if t["trigger"] == trigger:
            t["gates"].append(gate)
    return body


def compiled(body: dict[str, Any]) -> Workflow:
    return compile_workflow(validate(parse(body, "test"), content(), "test"), content())


def test_launch_is_refused_until_a_coach_signs_off_both_plans() -> None:
    reasons = unmet("launch_test", launch_facts())

    assert list(reasons) == SIGNOFFS
    assert reasons["coach_signoff: purpose_map"] == (
        "A coach must sign off the purpose map as it stands now (revision 2); "
        "it has no sign-off yet."
    )
    with pytest.raises(GatesUnmet) as refused:
        workflow(CONDITION).fire("launch_test", HOW, launch_facts())
    assert [u.gate for u in refused.value.unmet] == SIGNOFFS


def test_launch_is_allowed_once_both_current_revisions_are_signed_off() -> None:
    signed = launch_facts(signed_off={"purpose_map": 2, "action_timeline": 1})

    assert unmet("launch_test", signed) == {}
    assert workflow(CONDITION).fire("launch_test", HOW, signed).instance.state == "implement"


def test_a_revision_saved_after_the_signoff_needs_a_new_one() -> None:
    edited = launch_facts(
        revisions={"purpose_map": 3, "action_timeline": 1},
        signed_off={"purpose_map": 2, "action_timeline": 1},
    )

    assert unmet("launch_test", edited) == {
        "coach_signoff: purpose_map": (
            "A coach must sign off the purpose map as it stands now (revision 3); "
            "the last sign-off was on revision 2."
        )
    }


def test_the_gate_is_absent_when_the_program_requires_no_signoff() -> None:
    assert unmet("launch_test", launch_facts(signoff_triggers=frozenset())) == {}


def test_only_the_triggers_the_program_names_owe_a_signoff() -> None:
    wants_review = launch_facts(signoff_triggers=frozenset({"conclude_review"}))

    assert unmet("launch_test", wants_review) == {}


def test_an_unwritten_plan_asks_to_be_written_first_then_signed_off() -> None:
    reasons = unmet("launch_test", launch_facts(artifacts={}, revisions={}))

    assert list(reasons) == ["complete: purpose_map", "complete: action_timeline", *SIGNOFFS]
    assert reasons["coach_signoff: action_timeline"] == (
        "Write the action timeline, then ask a coach to sign it off."
    )


def test_the_status_lists_the_signoff_like_any_other_unmet_gate() -> None:
    view = workflow(CONDITION).view(HOW, launch_facts(signed_off={"purpose_map": 2}))
    launch = next(t for t in view.triggers if t.name == "launch_test")

    assert not launch.allowed
    assert [u.gate for u in launch.unmet] == ["coach_signoff: action_timeline"]


def test_the_facts_default_to_no_signoffs_asked_or_given() -> None:
    given = facts()

    assert (given.revisions, given.signed_off, given.signoff_triggers) == ({}, {}, frozenset())


def test_the_kinds_a_signoff_counts_for_follow_the_complete_gates() -> None:
    flow = workflow(CONDITION)

    assert flow.signoff_kinds("launch_test", {"launch_test"}) == ["purpose_map", "action_timeline"]
    assert flow.signoff_kinds("start_review", {"start_review"}) == []
    assert flow.signoff_kinds("launch_test", set()) == []


def test_a_definition_may_ask_for_a_signoff_itself() -> None:
    flow = compiled(with_static_gate("launch_test", {"coach_signoff": "purpose_map"}))
    program_wants_none = launch_facts(signoff_triggers=frozenset())

    assert list(unmet("launch_test", program_wants_none, flow)) == ["coach_signoff: purpose_map"]
    assert flow.signoff_kinds("launch_test", set()) == ["purpose_map"]
    # The program's wish adds what the definition lacks, without asking twice.
    assert list(unmet("launch_test", launch_facts(), flow)) == SIGNOFFS


def test_a_definition_naming_an_unknown_artifact_for_signoff_is_refused() -> None:
    body = with_static_gate("launch_test", {"coach_signoff": "lesson_plan"})

    with pytest.raises(DefinitionError, match="argument 'lesson_plan' is not a valid artifact"):
        compiled(body)


def test_onboarding_cannot_ask_for_a_coach_signoff() -> None:
    body = with_static_gate("choose_condition", {"coach_signoff": "condition_choice"}, "onboarding")

    with pytest.raises(DefinitionError, match="not usable in a onboarding workflow"):
        compiled(body)


def test_a_program_wish_adds_no_signoff_outside_a_cycle() -> None:
    overview = InstanceState(state="overview")
    given = facts(signoff_triggers=frozenset({"finish_overview"}))

    unmet_gates = workflow("onboarding").unmet("finish_overview", overview, given)

    assert [u.gate for u in unmet_gates] == ["complete: playbook_overview"]


def test_records_cannot_be_signed_off_and_the_gate_says_so() -> None:
    flow = compiled(with_static_gate("start_review", {"coach_signoff": "data_collection"}))
    implement = InstanceState(state="implement")

    reasons = {u.gate: u.reason for u in flow.unmet("start_review", implement, facts())}

    assert reasons["coach_signoff: data_collection"] == (
        "The data collection is a set of records; a coach signs off single documents only."
    )
