"""Replaying a history rebuilds the state it led to; the diagram shows every way through."""

from __future__ import annotations

import pytest
from engine_factories import workflow

from engine.workflow import MIGRATE, InstanceState

History = list[tuple[str, str | None, str]]


def two_passes_of_a_cycle() -> History:
    """A first pass with one step back, a revisit, and a second pass under way."""
    return [
        ("start", None, "why"),
        ("start_planning", "why", "how"),
        ("launch_test", "how", "implement"),
        ("step_back", "implement", "how"),
        ("launch_test", "how", "implement"),
        ("start_review", "implement", "review"),
        ("conclude_review", "review", "decide"),
        ("revisit", "decide", "why"),
        ("start_planning", "why", "how"),
    ]


def test_replay_rebuilds_the_state_and_iteration() -> None:
    assert workflow().replay(two_passes_of_a_cycle()) == InstanceState("how", iteration=2)


def test_replay_of_the_start_alone_is_the_initial_state() -> None:
    assert workflow().replay([("start", None, "why")]) == workflow().start()


def test_replay_follows_a_cycle_to_its_close() -> None:
    history = [
        *two_passes_of_a_cycle(),
        ("launch_test", "how", "implement"),
        ("start_review", "implement", "review"),
        ("conclude_review", "review", "decide"),
        ("move_on", "decide", "closed"),
    ]

    assert workflow().replay(history) == InstanceState("closed", iteration=2)


def test_replay_accepts_a_migration_to_a_new_version() -> None:
    history = [*two_passes_of_a_cycle(), (MIGRATE, "how", "how")]

    assert workflow().replay(history) == InstanceState("how", iteration=2)


def test_a_history_with_a_gap_is_refused() -> None:
    history = two_passes_of_a_cycle()
    del history[2]

    with pytest.raises(ValueError, match="event 3 leaves 'implement', but the state was 'how'"):
        workflow().replay(history)


def test_a_history_with_a_transition_the_workflow_does_not_have_is_refused() -> None:
    history: History = [("start", None, "why"), ("start_planning", "why", "implement")]

    with pytest.raises(ValueError, match="event 2: start_planning does not lead"):
        workflow().replay(history)


def test_a_history_that_does_not_begin_at_the_start_is_refused() -> None:
    with pytest.raises(ValueError, match="event 1 should start in 'why'"):
        workflow().replay(two_passes_of_a_cycle()[1:])


def test_an_empty_history_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        workflow().replay([])


def test_the_diagram_is_mermaid_with_every_trigger_and_the_current_state_marked() -> None:
    cycle = workflow("shared-influence")

    diagram = cycle.mermaid(highlight="how")

    assert "stateDiagram-v2" in diagram
    assert all(trigger in diagram for trigger in cycle.definition.triggers)
    assert "Class how s_active" in diagram
    assert "Class why s_default" in diagram


def test_the_diagram_shows_the_gates_on_each_arrow() -> None:
    gates = "complete: purpose_map & complete: action_timeline & people_involved: 3"

    assert f"how --> implement: launch_test [{gates}]" in workflow("shared-influence").mermaid()


def test_highlighting_one_diagram_leaves_the_next_unmarked() -> None:
    cycle = workflow()
    cycle.mermaid(highlight="review")

    diagram = cycle.mermaid()

    assert "Class review s_default" in diagram
    assert "s_active" not in diagram.replace("classDef s_active", "")
