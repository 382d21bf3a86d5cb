"""Workflow definitions: each one loads and validates, and a broken one says what is wrong where."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from contract import CYCLE_TRIGGERS
from engine_factories import CONDITIONS, WORKFLOWS_DIR, content, definitions

from engine.definitions import load_directory, load_file
from engine.errors import DefinitionError
from engine.workflow import compile_workflow

Damage = Callable[[dict[str, Any]], object]

SHAPE_STATES = ["why", "how", "implement", "review", "decide", "closed"]


def definition_path(root: Path, name: str) -> Path:
    return root / "conditions" / f"{name}.yaml" if name in CONDITIONS else root / f"{name}.yaml"


def workflows_copy(tmp_path: Path) -> Path:
    root = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS_DIR, root)
    return root


def rewrite(path: Path, change: Damage) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def transition(data: dict[str, Any], trigger: str) -> dict[str, Any]:
    return next(t for t in data["transitions"] if t["trigger"] == trigger)


def refusal(root: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as raised:
        load_directory(root, content())
    return raised.value


@pytest.mark.parametrize("name", [*CONDITIONS, "onboarding", "program-phases"])
def test_every_definition_loads_validates_and_compiles(name: str) -> None:
    definition = load_file(definition_path(WORKFLOWS_DIR, name), content())

    assert definition.name == name
    assert compile_workflow(definition, content()).name == name


def test_the_directory_holds_the_conditions_onboarding_and_program_phases() -> None:
    assert set(definitions()) == {*CONDITIONS, "onboarding", "program-phases"}


@pytest.mark.parametrize("name", CONDITIONS)
def test_each_condition_follows_the_shared_cycle_shape(name: str) -> None:
    definition = definitions()[name]

    assert definition.kind == "cycle"
    assert definition.condition == name
    assert definition.initial == "why"
    assert [s.name for s in definition.states] == SHAPE_STATES
    assert definition.triggers == CYCLE_TRIGGERS


def test_conditions_share_every_transition_of_the_shape() -> None:
    def moves(name: str) -> list[tuple[str, str, str]]:
        return [(t.trigger, t.source, t.dest) for t in definitions()[name].transitions]

    assert all(moves(name) == moves("vision-and-strategy") for name in CONDITIONS)


def test_extra_gates_come_after_the_shape_gates_of_their_trigger() -> None:
    def gates(name: str, trigger: str) -> list[str]:
        found = next(t for t in definitions()[name].transitions if t.trigger == trigger)
        return [g.label() for g in found.gates]

    assert gates("shared-influence", "launch_test") == [
        "complete: purpose_map",
        "complete: action_timeline",
        "people_involved: 3",
    ]
    assert gates("orientation-to-improve", "start_review") == [
        "data_since_launch",
        "distinct_sources: 2",
    ]
    assert gates("vision-and-strategy", "launch_test") == [
        "complete: purpose_map",
        "complete: action_timeline",
    ]


def gates_of(trigger: str, gates: list[object]) -> Damage:
    return lambda d: transition(d, trigger).update(gates=gates)


def add_an_island(d: dict[str, Any]) -> None:
    d["states"].insert(-1, {"name": "limbo", "stage": "overview"})
    d["transitions"].append({"trigger": "leave", "source": "limbo", "dest": "ready"})


def reopen(d: dict[str, Any]) -> None:
    d["transitions"].append({"trigger": "reopen", "source": "ready", "dest": "choose"})


BROKEN = [
    pytest.param(
        "onboarding",
        gates_of("finish_overview", ["looks_fine"]),
        "gate 'looks_fine': no such gate",
        id="unknown gate",
    ),
    pytest.param(
        "onboarding",
        gates_of("finish_overview", ["engine.gates._complete"]),
        "gate 'engine.gates._complete': no such gate",
        id="import path as a gate",
    ),
    pytest.param(
        "onboarding",
        gates_of("finish_overview", [{"complete": "lesson_plan"}]),
        "argument 'lesson_plan' is not a valid artifact",
        id="gate argument not an artifact",
    ),
    pytest.param(
        "onboarding",
        gates_of("finish_overview", ["data_since_launch"]),
        "gate 'data_since_launch': not usable in a onboarding workflow",
        id="gate of another workflow kind",
    ),
    pytest.param(
        "onboarding",
        lambda d: d["states"][0].update(requires=["lesson_plan"]),
        "state 'overview' requires unknown artifact 'lesson_plan'",
        id="state requires an unknown artifact",
    ),
    pytest.param(
        "onboarding",
        add_an_island,
        "states cannot be reached from 'overview': ['limbo']",
        id="unreachable state",
    ),
    pytest.param(
        "onboarding",
        lambda d: d.update(initial="welcome"),
        "initial state 'welcome' is not one of the states",
        id="initial state missing",
    ),
    pytest.param(
        "onboarding",
        reopen,
        "final state 'ready' has exits: ['reopen']",
        id="final state with an exit",
    ),
    pytest.param(
        "program-phases",
        lambda d: d["states"][-1].update(final=False),
        "state 'sustaining' is not final but has no way out",
        id="state with no way out",
    ),
    pytest.param(
        "program-phases",
        lambda d: transition(d, "begin_sustaining").update(dest="retired"),
        "transition 'begin_sustaining' uses unknown state 'retired'",
        id="transition to an unknown state",
    ),
    pytest.param(
        "program-phases",
        lambda d: d.update(name="phases"),
        "name 'phases' does not match the file name",
        id="workflow name not the file name",
    ),
    pytest.param(
        "shared-influence",
        lambda d: d.update(extra_gates={"launch": [{"people_involved": 3}]}),
        "extra_gates names unknown trigger 'launch'",
        id="extra gates for an unknown trigger",
    ),
    pytest.param(
        "shared-influence",
        lambda d: d.update(extra_gates=["launch_test"]),
        "extra_gates",
        id="extra gates as a list, not a mapping",
    ),
    pytest.param(
        "shared-influence",
        lambda d: d.update(extra_gates={"launch_test": "reason_given"}),
        "extra_gates",
        id="extra gates of a trigger as one string, not a list",
    ),
    pytest.param(
        "vision-and-strategy",
        lambda d: d.update(condition="vision"),
        "condition 'vision' has no guide",
        id="condition without a content guide",
    ),
    pytest.param(
        "shared-influence",
        lambda d: d.update(name="shared-voice"),
        "name 'shared-voice' does not match the file name",
        id="condition name not the file name",
    ),
]


@pytest.mark.parametrize(("name", "damage", "problem"), BROKEN)
def test_a_broken_definition_is_refused_naming_its_file_and_the_problem(
    tmp_path: Path, name: str, damage: Damage, problem: str
) -> None:
    root = workflows_copy(tmp_path)
    path = definition_path(root, name)
    rewrite(path, damage)

    error = refusal(root)

    assert error.source == str(path)
    assert problem in error.problem


def test_every_problem_is_named_not_only_the_first(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    path = root / "onboarding.yaml"

    def break_twice(d: dict[str, Any]) -> None:
        transition(d, "finish_overview").update(gates=["looks_fine"])
        transition(d, "choose_condition").update(effects=["send_email"])

    rewrite(path, break_twice)

    error = refusal(root)

    assert "gate 'looks_fine': no such gate" in error.problem
    assert "unknown effect 'send_email'" in error.problem


def test_a_shape_without_transitions_is_refused_as_a_definition_error(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    rewrite(root / "shapes" / "cycle.yaml", lambda d: d.pop("transitions"))

    error = refusal(root)

    assert "transitions" in error.problem


def test_the_message_names_the_file_and_the_problem(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    path = root / "onboarding.yaml"
    rewrite(path, lambda d: d.update(initial="welcome"))

    error = refusal(root)

    assert str(error) == f"{path}: {error.problem}"


def test_the_digest_is_stable_while_the_body_is_the_same(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    path = root / "conditions" / "shared-influence.yaml"
    before = load_file(path, content()).digest
    path.write_text("# A comment is not part of the body.\n" + path.read_text(), encoding="utf-8")

    assert load_file(path, content()).digest == before
    assert definitions()["shared-influence"].digest == before


def test_the_digest_changes_when_the_body_changes(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    path = root / "conditions" / "shared-influence.yaml"
    before = load_file(path, content()).digest
    rewrite(path, lambda d: d["extra_gates"]["launch_test"].append("reason_given"))
    with_gate = load_file(path, content()).digest
    rewrite(path, lambda d: d.update(title="Shared say"))

    assert len({before, with_gate, load_file(path, content()).digest}) == 3


def test_an_edit_to_the_shape_changes_every_condition_digest(tmp_path: Path) -> None:
    root = workflows_copy(tmp_path)
    before = {name: d.digest for name, d in load_directory(root, content()).items()}
    rewrite(root / "shapes" / "cycle.yaml", lambda d: d["states"][0].update(expected_days=30))
    after = {name: d.digest for name, d in load_directory(root, content()).items()}

    assert all(after[name] != before[name] for name in CONDITIONS)
    assert after["onboarding"] == before["onboarding"]
