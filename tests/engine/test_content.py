"""The content pack: every file validates, and a broken file is refused by name."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_factories import CONDITIONS, CONTENT_DIR, content

from engine.content import CONDITION_STAGES, RUBRIC_LEVELS, load_content
from engine.errors import ContentError


def pack_copy(tmp_path: Path) -> Path:
    """A private copy of the content pack (load_content is cached per directory)."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def rewrite(path: Path, change: Callable[[Any], object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def refusal(root: Path) -> str:
    with pytest.raises(ContentError) as raised:
        load_content(root)
    return str(raised.value)


def test_the_pack_has_the_seven_conditions_in_playbook_order() -> None:
    pack = content()

    assert pack.condition_slugs == list(CONDITIONS)
    assert [pack.conditions[slug].order for slug in pack.condition_slugs] == list(range(1, 8))


@pytest.mark.parametrize("slug", CONDITIONS)
def test_each_condition_guide_has_five_stages_of_questions_and_tasks(slug: str) -> None:
    guide = content().conditions[slug]

    assert guide.slug == slug
    assert set(guide.stages) == set(CONDITION_STAGES)
    for stage in guide.stages.values():
        assert stage.title.strip() and stage.goal.strip()
        assert 4 <= len(stage.big_questions) <= 8
        assert 3 <= len(stage.tasks) <= 6


@pytest.mark.parametrize("slug", CONDITIONS)
def test_each_condition_rubric_has_three_to_five_dimensions_at_three_levels(slug: str) -> None:
    dimensions = content().conditions[slug].rubric.dimensions

    assert 3 <= len(dimensions) <= 5
    assert len({d.id for d in dimensions}) == len(dimensions)
    for dimension in dimensions:
        assert set(dimension.levels) == set(RUBRIC_LEVELS)
        assert all(text.strip() for text in dimension.levels.values())


def test_the_pack_defines_every_artifact_the_workflows_ask_for() -> None:
    assert set(content().artifacts) == {
        "theory_of_action",
        "purpose_map",
        "action_timeline",
        "data_collection",
        "impact_assessment",
        "decision",
        "playbook_overview",
        "self_assessment",
        "condition_choice",
    }


def test_onboarding_and_program_phases_have_their_stages() -> None:
    pack = content()

    assert set(pack.onboarding.stages) == {"overview", "self_assessment", "choose"}
    assert set(pack.program_phases.phases) == {
        "designing",
        "implementing",
        "cultivating",
        "sustaining",
    }


BROKEN_GUIDES = [
    pytest.param(
        lambda guide: guide["stages"]["why"].update(big_questions=["One?", "Two?"]),
        "stages.why.big_questions",
        id="only two big questions",
    ),
    pytest.param(
        lambda guide: guide["stages"]["review"].update(tasks=[f"Task {n}" for n in range(7)]),
        "stages.review.tasks",
        id="seven tasks",
    ),
    pytest.param(
        lambda guide: guide["stages"].pop("decide"),
        "stages missing: decide",
        id="a stage missing",
    ),
    pytest.param(
        lambda guide: guide["rubric"]["dimensions"][0]["levels"].pop("established"),
        "lacks levels: established",
        id="a rubric level missing",
    ),
    pytest.param(
        lambda guide: guide["rubric"].update(dimensions=guide["rubric"]["dimensions"][:2]),
        "rubric.dimensions",
        id="two rubric dimensions",
    ),
    pytest.param(
        lambda guide: guide.update(slug="shared-voice"),
        "slug 'shared-voice' does not match the file name",
        id="slug not the file name",
    ),
]


@pytest.mark.parametrize(("damage", "problem"), BROKEN_GUIDES)
def test_a_broken_condition_guide_is_refused_naming_its_file(
    tmp_path: Path, damage: Callable[[Any], object], problem: str
) -> None:
    root = pack_copy(tmp_path)
    path = root / "conditions" / "shared-influence.yaml"
    rewrite(path, damage)

    message = refusal(root)

    assert message.startswith(f"{path}: ")
    assert problem in message


def test_a_condition_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    path = root / "conditions" / "capacity-and-resources.yaml"
    path.write_text("slug: capacity-and-resources\nstages: [why, how\n", encoding="utf-8")

    message = refusal(root)

    assert str(path) in message
    assert "not valid YAML" in message


def test_two_conditions_with_the_same_order_are_refused(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    rewrite(root / "conditions" / "shared-influence.yaml", lambda guide: guide.update(order=1))

    message = refusal(root)

    assert str(root / "conditions") in message
    assert "share an order number" in message


def test_a_choice_field_without_choices_is_refused_naming_the_artifact(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    path = root / "artifacts.yaml"
    rewrite(path, lambda kinds: kinds["decision"]["fields"][0].update(choices=[]))

    message = refusal(root)

    assert str(path) in message
    assert "artifact 'decision'" in message
    assert "lists no choices" in message


def test_a_missing_onboarding_guide_is_refused(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    path = root / "onboarding.yaml"
    path.unlink()

    message = refusal(root)

    assert str(path) in message
    assert "file is missing" in message
