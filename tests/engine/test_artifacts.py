"""Artifacts: a draft's shape is checked on save; completeness is reported field by field."""

from __future__ import annotations

from typing import Any

import pytest
from engine_factories import action_timeline, content, decision, theory_of_action

from engine.artifacts import ArtifactCatalog, ArtifactType
from engine.errors import ArtifactInvalid, UnknownArtifact


def artifact(kind: str) -> ArtifactType:
    return ArtifactCatalog(content())[kind]


def rejected_paths(kind: str, draft: Any) -> list[str]:
    with pytest.raises(ArtifactInvalid) as raised:
        artifact(kind).validate_draft(draft)
    assert raised.value.kind == kind
    return [error.path for error in raised.value.errors]


def test_a_due_date_that_is_not_a_date_is_rejected_at_its_field_path() -> None:
    assert rejected_paths("action_timeline", action_timeline(due="next Friday")) == ["items.0.due"]


def test_a_status_outside_planned_doing_done_is_rejected() -> None:
    assert rejected_paths("action_timeline", action_timeline(status="finished")) == [
        "items.0.status"
    ]


def test_an_unknown_field_is_rejected_by_name() -> None:
    assert rejected_paths("impact_assessment", {"findings": "Fine.", "mood": "good"}) == ["mood"]


def test_an_unknown_field_inside_a_list_item_is_rejected_at_its_path() -> None:
    assert rejected_paths("action_timeline", action_timeline(budget="200")) == ["items.0.budget"]


def test_every_wrong_field_is_reported_at_once() -> None:
    draft = action_timeline(due="soon", status="finished")

    assert rejected_paths("action_timeline", draft) == ["items.0.due", "items.0.status"]


def test_a_number_is_not_text() -> None:
    assert rejected_paths("theory_of_action", theory_of_action(goal=42)) == ["goal"]


def test_a_next_condition_must_be_one_of_the_conditions() -> None:
    draft = decision("move_on", next_condition="teacher-morale")

    assert rejected_paths("decision", draft) == ["next_condition"]


def test_a_draft_that_is_not_a_mapping_is_rejected_as_a_whole() -> None:
    assert rejected_paths("decision", ["move_on"]) == ["(body)"]


def test_the_error_message_names_the_kind_and_each_field() -> None:
    with pytest.raises(ArtifactInvalid, match=r"action_timeline is not valid: items\.0\.due: "):
        artifact("action_timeline").validate_draft(action_timeline(due="soon"))


def test_an_incomplete_draft_is_saved_with_every_field_in_canonical_form() -> None:
    saved = artifact("theory_of_action").validate_draft({"goal": "  Shared priorities.  "})

    assert saved == {
        "goal": "Shared priorities.",
        "problem_of_practice": None,
        "staff_evidence": None,
        "barrier": None,
        "approach": None,
        "statement": None,
    }


def test_dates_are_saved_as_iso_text() -> None:
    saved = artifact("action_timeline").validate_draft(action_timeline(due="2026-04-01"))

    assert saved["items"][0]["due"] == "2026-04-01"


def test_an_incomplete_draft_lists_the_fields_it_still_needs() -> None:
    theory = artifact("theory_of_action")
    status = theory.status(theory.validate_draft({"goal": "Shared priorities.", "barrier": " "}))

    assert status.status == "incomplete"
    assert status.missing_fields == [
        "problem_of_practice",
        "staff_evidence",
        "barrier",
        "approach",
        "statement",
    ]


def test_a_complete_draft_has_nothing_missing() -> None:
    theory = artifact("theory_of_action")
    status = theory.status(theory.validate_draft(theory_of_action()))

    assert status.status == "complete"
    assert status.missing == ()


def test_an_artifact_never_saved_is_missing() -> None:
    assert artifact("purpose_map").status(None).status == "missing"


def test_a_statement_that_is_not_if_then_is_incomplete_on_that_field() -> None:
    theory = artifact("theory_of_action")
    status = theory.status(theory_of_action(statement="We will sort the initiatives with staff."))

    assert status.status == "incomplete"
    assert status.missing_fields == ["statement"]
    assert "If ..., then ..." in status.missing[0].problem


def test_a_list_below_its_minimum_is_incomplete_on_the_list() -> None:
    status = artifact("action_timeline").status({"items": []})

    assert status.missing_fields == ["items"]


def test_a_blank_field_inside_a_list_item_is_named_by_its_path() -> None:
    status = artifact("action_timeline").status(action_timeline(owner=""))

    assert status.missing_fields == ["items.0.owner"]


def test_next_condition_is_required_when_moving_on() -> None:
    status = artifact("decision").status(decision("move_on", next_condition=None))

    assert status.status == "incomplete"
    assert status.missing_fields == ["next_condition"]


def test_next_condition_is_not_required_when_revisiting() -> None:
    status = artifact("decision").status(decision("revisit", next_condition=None))

    assert status.status == "complete"


def test_a_kind_the_pack_does_not_define_is_unknown() -> None:
    with pytest.raises(UnknownArtifact, match="lesson_plan"):
        ArtifactCatalog(content())["lesson_plan"]


def test_a_field_path_reads_in_the_words_of_the_form() -> None:
    timeline = artifact("action_timeline")
    assert timeline.label("items") == "Actions"
    assert timeline.label("items.0") == "Actions, row 1"
    assert timeline.label("items.2.due") == "Actions, row 3: Due"
    assert artifact("theory_of_action").label("staff_evidence") == "What staff told us"
