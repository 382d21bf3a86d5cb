"""Gates: each trigger is refused, with a reason a person can act on, until its gates hold."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_factories import (
    CONDITIONS,
    LAUNCH,
    action_timeline,
    data_collection,
    decision,
    facts,
    impact_assessment,
    purpose_map,
    self_assessment,
    theory_of_action,
    workflow,
)

from engine.errors import (
    GatesUnmet,
    InstanceClosed,
    TriggerNotAvailable,
    UnknownTrigger,
    Unmet,
)
from engine.facts import CycleProgress, Facts
from engine.workflow import Event, InstanceState

CONDITION = "vision-and-strategy"


def at(state: str, *, launched_on: dt.date | None = None, iteration: int = 1) -> InstanceState:
    return InstanceState(state=state, iteration=iteration, launched_on=launched_on)


def unmet_gates(trigger: str, instance: InstanceState, **given: object) -> list[str]:
    return [u.gate for u in workflow(CONDITION).unmet(trigger, instance, facts(**given))]


def only_reason(trigger: str, instance: InstanceState, **given: object) -> str:
    (unmet,) = workflow(CONDITION).unmet(trigger, instance, facts(**given))
    return unmet.reason


# start_planning


def test_planning_is_refused_until_the_theory_of_action_is_started() -> None:
    assert only_reason("start_planning", at("why")) == (
        "Write the theory of action: it has not been started."
    )


def test_planning_is_refused_while_a_field_of_the_theory_of_action_is_blank() -> None:
    reason = only_reason(
        "start_planning", at("why"), artifacts={"theory_of_action": theory_of_action(barrier=" ")}
    )

    assert reason.startswith("Finish the theory of action:")
    assert "Biggest barrier within our control is blank" in reason


def test_a_statement_that_does_not_read_if_then_leaves_the_theory_incomplete() -> None:
    theory = theory_of_action(statement="We will sort the initiatives with staff.")

    reason = only_reason("start_planning", at("why"), artifacts={"theory_of_action": theory})

    assert "Theory of action: Write it" in reason
    assert 'Write it as a single "If ..., then ..." sentence' in reason


def test_the_reason_for_an_unfinished_artifact_ends_with_one_full_stop() -> None:
    theory = theory_of_action(statement="We will sort the initiatives with staff.")

    reason = only_reason("start_planning", at("why"), artifacts={"theory_of_action": theory})

    assert not reason.endswith("..")


def test_planning_is_allowed_once_the_theory_of_action_is_complete() -> None:
    given = facts(artifacts={"theory_of_action": theory_of_action()})

    assert workflow(CONDITION).unmet("start_planning", at("why"), given) == []
    assert workflow(CONDITION).fire("start_planning", at("why"), given).instance == at("how")


# launch_test


def test_the_launch_is_refused_until_the_purpose_map_and_timeline_are_written() -> None:
    assert unmet_gates("launch_test", at("how")) == [
        "complete: purpose_map",
        "complete: action_timeline",
    ]


def test_the_launch_is_refused_while_the_action_timeline_is_missing() -> None:
    gates = unmet_gates("launch_test", at("how"), artifacts={"purpose_map": purpose_map()})

    assert gates == ["complete: action_timeline"]


def test_the_launch_is_refused_while_the_purpose_map_is_incomplete() -> None:
    artifacts = {"purpose_map": purpose_map(first_steps=[]), "action_timeline": action_timeline()}

    assert unmet_gates("launch_test", at("how"), artifacts=artifacts) == ["complete: purpose_map"]


def test_the_launch_records_today_as_the_launch_date() -> None:
    today = dt.date(2026, 3, 9)
    given = facts(
        today=today, artifacts={"purpose_map": purpose_map(), "action_timeline": action_timeline()}
    )

    outcome = workflow(CONDITION).fire("launch_test", at("how"), given)

    assert outcome.instance == at("implement", launched_on=today)


# start_review

LAUNCHED = InstanceState("implement", launched_on=LAUNCH)


def since_launch(*records: dict[str, str]) -> Facts:
    """Facts of a launched test (gates read the launch date from the facts, not the instance)."""
    return facts(records={"data_collection": list(records)})


def test_the_review_is_refused_until_data_is_collected() -> None:
    (unmet,) = workflow(CONDITION).unmet("start_review", LAUNCHED, since_launch())

    assert unmet == Unmet(
        "data_since_launch",
        "Record at least one data collection dated on or after the launch (2026-03-02).",
    )


def test_data_collected_the_day_before_the_launch_does_not_count() -> None:
    day_before = since_launch(data_collection(LAUNCH - dt.timedelta(days=1)))

    unmet = workflow(CONDITION).unmet("start_review", LAUNCHED, day_before)

    assert [u.gate for u in unmet] == ["data_since_launch"]


def test_data_collected_on_the_launch_day_counts() -> None:
    launch_day = since_launch(data_collection(LAUNCH))

    assert workflow(CONDITION).unmet("start_review", LAUNCHED, launch_day) == []


def test_the_review_is_refused_for_a_cycle_that_was_never_launched() -> None:
    records = {"data_collection": [data_collection(LAUNCH)]}

    reason = only_reason("start_review", at("implement"), records=records)

    assert reason == "Launch the test first: data is collected after the launch."


# conclude_review


def test_the_review_cannot_be_concluded_until_the_impact_assessment_is_complete() -> None:
    def unmet_with(assessment: dict[str, object] | None) -> list[str]:
        artifacts = {} if assessment is None else {"impact_assessment": assessment}
        return unmet_gates("conclude_review", at("review"), artifacts=artifacts)

    assert unmet_with(None) == ["complete: impact_assessment"]
    assert unmet_with(impact_assessment(goal_progress=None)) == ["complete: impact_assessment"]
    assert unmet_with(impact_assessment()) == []


# revisit and move_on


def test_revisiting_is_refused_until_the_team_decides_to_revisit() -> None:
    moving_on = {"decision": decision("move_on", next_condition="shared-influence")}

    assert only_reason("revisit", at("decide")) == "Record a decision to revisit."
    assert only_reason("revisit", at("decide"), artifacts=moving_on) == (
        "Record a decision to revisit."
    )


def test_revisiting_is_refused_without_a_rationale() -> None:
    reason = only_reason("revisit", at("decide"), artifacts={"decision": decision("revisit", " ")})

    assert reason == "Give the rationale for the decision to revisit."


def test_revisiting_starts_the_next_iteration_with_no_launch_date() -> None:
    given = facts(artifacts={"decision": decision("revisit")})

    outcome = workflow(CONDITION).fire("revisit", at("decide", launched_on=LAUNCH), given)

    assert outcome.instance == InstanceState("why", iteration=2, launched_on=None)
    assert outcome.event.iteration == 2


def why_not_move_on(choice: dict[str, object]) -> str:
    return only_reason("move_on", at("decide"), artifacts={"decision": choice})


def test_moving_on_is_refused_without_a_next_condition() -> None:
    reason = why_not_move_on(decision("move_on"))

    assert reason == "Name the condition to move on to."


def test_moving_on_is_refused_without_a_rationale() -> None:
    reason = why_not_move_on(decision("move_on", rationale=None, next_condition="shared-influence"))

    assert reason == "Give the rationale for the decision to move on."


def test_moving_on_to_the_same_condition_is_refused() -> None:
    reason = why_not_move_on(decision("move_on", next_condition=CONDITION))

    assert reason == "The next condition must be a different one; to stay, choose revisit."


def test_moving_on_to_another_condition_closes_the_cycle() -> None:
    given = facts(
        artifacts={"decision": decision("move_on", next_condition="shared-influence")},
    )

    outcome = workflow(CONDITION).fire("move_on", at("decide", launched_on=LAUNCH), given)

    assert outcome.instance == at("closed", launched_on=LAUNCH)


# step_back


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_stepping_back_needs_a_written_reason(reason: str | None) -> None:
    assert only_reason("step_back", at("how"), reason=reason) == "Write the reason for this step."


@pytest.mark.parametrize(
    ("source", "dest"),
    [("how", "why"), ("implement", "how"), ("review", "implement"), ("decide", "review")],
)
def test_stepping_back_with_a_reason_returns_to_the_stage_before(source: str, dest: str) -> None:
    given = facts(reason="The plan was too big.")

    outcome = workflow(CONDITION).fire("step_back", at(source, launched_on=LAUNCH), given)

    assert outcome.instance == at(dest, launched_on=LAUNCH)
    assert outcome.event.reason == "The plan was too big."


# gates a condition adds to the shape


def test_shared_influence_launches_only_with_three_people_involved() -> None:
    two = {"purpose_map": purpose_map(people=2), "action_timeline": action_timeline()}
    three = {"purpose_map": purpose_map(people=3), "action_timeline": action_timeline()}
    shared = workflow("shared-influence")

    assert shared.unmet("launch_test", at("how"), facts(artifacts=two)) == [
        Unmet(
            "people_involved: 3", "Name at least 3 people or groups in the purpose map (so far: 2)."
        )
    ]
    assert shared.unmet("launch_test", at("how"), facts(artifacts=three)) == []


def test_other_conditions_launch_with_fewer_people() -> None:
    two = {"purpose_map": purpose_map(people=2), "action_timeline": action_timeline()}

    assert unmet_gates("launch_test", at("how"), artifacts=two) == []


def test_orientation_to_improve_reviews_only_with_two_kinds_of_source() -> None:
    improve = workflow("orientation-to-improve")
    same_kind = since_launch(data_collection(LAUNCH), data_collection(LAUNCH, "feedback"))
    two_kinds = since_launch(data_collection(LAUNCH), data_collection(LAUNCH, "observation"))

    assert improve.unmet("start_review", LAUNCHED, same_kind) == [
        Unmet(
            "distinct_sources: 2",
            "Collect data from at least 2 different kinds of source since the launch (so far: 1).",
        )
    ]
    assert improve.unmet("start_review", LAUNCHED, two_kinds) == []


def test_a_source_used_before_the_launch_does_not_count_towards_the_kinds() -> None:
    before_and_after = since_launch(
        data_collection(LAUNCH - dt.timedelta(days=3), "observation"), data_collection(LAUNCH)
    )

    unmet = workflow("orientation-to-improve").unmet("start_review", LAUNCHED, before_and_after)

    assert [u.gate for u in unmet] == ["distinct_sources: 2"]


def test_every_unmet_gate_is_listed_with_a_reason() -> None:
    unmet = workflow("shared-influence").unmet("launch_test", at("how"), facts())

    assert [u.gate for u in unmet] == [
        "complete: purpose_map",
        "complete: action_timeline",
        "people_involved: 3",
    ]
    assert all(u.reason.strip() and u.reason.endswith(".") for u in unmet)


# firing


def test_firing_returns_the_new_state_and_the_event_to_record() -> None:
    given = facts(artifacts={"theory_of_action": theory_of_action()})

    outcome = workflow(CONDITION).fire("start_planning", at("why"), given)

    assert outcome.instance == at("how")
    assert outcome.event == Event(
        trigger="start_planning", from_state="why", to_state="how", iteration=1, reason=None
    )


def test_a_refused_fire_raises_every_unmet_gate() -> None:
    shared = workflow("shared-influence")

    with pytest.raises(GatesUnmet) as raised:
        shared.fire("launch_test", at("how"), facts())

    assert raised.value.trigger == "launch_test"
    assert raised.value.unmet == shared.unmet("launch_test", at("how"), facts())


def test_a_trigger_from_another_state_is_not_available() -> None:
    with pytest.raises(TriggerNotAvailable) as raised:
        workflow(CONDITION).fire("launch_test", at("why"), facts())

    assert (raised.value.trigger, raised.value.state) == ("launch_test", "why")


def test_the_view_lists_every_trigger_those_leaving_the_stage_first() -> None:
    view = workflow(CONDITION).view(at("how"), facts())

    assert [(t.name, t.available, t.allowed) for t in view.triggers] == [
        ("launch_test", True, False),
        ("step_back", True, False),
        ("start_planning", False, False),
        ("start_review", False, False),
        ("conclude_review", False, False),
        ("revisit", False, False),
        ("move_on", False, False),
    ]
    assert [t.name for t in view.available_triggers] == ["launch_test", "step_back"]
    review = next(t for t in view.triggers if t.name == "start_review")
    assert review.unmet == (
        Unmet("available_from", "start_review is taken from implement, not from how."),
    )
    step_back = next(t for t in view.triggers if t.name == "step_back")
    assert (step_back.dest, step_back.needs_reason) == ("why", True)


def test_a_closed_cycle_lists_every_trigger_as_not_available() -> None:
    view = workflow(CONDITION).view(at("closed"), facts())

    assert view.available_triggers == ()
    assert {t.name for t in view.triggers} == set(workflow(CONDITION).definition.triggers)
    assert {t.unmet for t in view.triggers} == {
        (Unmet("available_from", "closed is the end: no step leaves it."),)
    }


def test_a_trigger_the_workflow_does_not_define_is_unknown() -> None:
    with pytest.raises(UnknownTrigger, match="jump_ahead"):
        workflow(CONDITION).fire("jump_ahead", at("why"), facts())


def test_a_closed_cycle_accepts_no_trigger() -> None:
    with pytest.raises(InstanceClosed):
        workflow(CONDITION).fire("step_back", at("closed"), facts(reason="Oops."))


def test_a_closed_cycle_has_no_unmet_gates_to_ask_about() -> None:
    with pytest.raises(InstanceClosed):
        workflow(CONDITION).unmet("revisit", at("closed"), facts())


def test_cycle_gates_cannot_be_overridden() -> None:
    with pytest.raises(GatesUnmet) as raised:
        workflow(CONDITION).fire(
            "start_planning", at("why"), facts(reason="Trust us."), override=True
        )

    assert [u.gate for u in raised.value.unmet] == ["override"]


# program phases


def school(*cycles: tuple[str, str, int]) -> list[CycleProgress]:
    return [CycleProgress(condition, state, reviews) for condition, state, reviews in cycles]


def test_implementing_begins_only_once_a_school_cycle_reached_implement() -> None:
    phases = workflow("program-phases")
    planning = school(("vision-and-strategy", "how", 0))
    testing = school(("vision-and-strategy", "how", 0), ("shared-influence", "implement", 0))

    assert [u.gate for u in phases.unmet("begin_implementing", phases.start(), facts())] == [
        "school_cycle_reached: implement"
    ]
    assert phases.unmet("begin_implementing", phases.start(), facts(school_cycles=planning)) != []
    assert phases.unmet("begin_implementing", phases.start(), facts(school_cycles=testing)) == []


def test_cultivating_begins_once_the_school_concluded_a_review() -> None:
    phases = workflow("program-phases")
    concluded = school(("vision-and-strategy", "why", 1))

    assert phases.unmet("begin_cultivating", at("implementing"), facts()) != []
    assert (
        phases.unmet("begin_cultivating", at("implementing"), facts(school_cycles=concluded)) == []
    )


def test_an_override_with_a_reason_passes_and_lists_the_gates_it_overrode() -> None:
    phases = workflow("program-phases")

    outcome = phases.fire(
        "begin_implementing", phases.start(), facts(reason="Started late; agreed."), override=True
    )

    assert outcome.instance == at("implementing")
    assert outcome.event.reason == "Started late; agreed."
    assert outcome.event.details["overridden"] == [
        {
            "gate": "school_cycle_reached: implement",
            "reason": "One of the school's teams must bring a cycle as far as 'implement'.",
        }
    ]


def test_an_override_without_a_reason_is_refused() -> None:
    phases = workflow("program-phases")

    with pytest.raises(GatesUnmet) as raised:
        phases.fire("begin_implementing", phases.start(), facts(reason=" "), override=True)

    assert [u.gate for u in raised.value.unmet] == ["reason_given"]


def test_a_transition_whose_gates_hold_records_no_override() -> None:
    phases = workflow("program-phases")
    given = facts(reason="On time.", school_cycles=school(("shared-influence", "review", 0)))

    outcome = phases.fire("begin_implementing", phases.start(), given, override=True)

    assert outcome.event.details == {}


# onboarding


def test_the_self_assessment_is_finished_only_when_every_condition_is_rated() -> None:
    onboarding = workflow("onboarding")
    here = at("self_assessment")
    six = facts(artifacts={"self_assessment": self_assessment(CONDITIONS[:-1])})
    seven = facts(artifacts={"self_assessment": self_assessment(CONDITIONS)})

    assert onboarding.unmet("finish_self_assessment", here, six) == [
        Unmet(
            "rated_every_condition",
            "Rate the school on every condition; still unrated: orientation-to-improve.",
        )
    ]
    assert onboarding.unmet("finish_self_assessment", here, seven) == []
