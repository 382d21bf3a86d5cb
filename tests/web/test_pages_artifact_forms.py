"""Artifact forms built from the content schemas, and submitted forms read back into drafts."""

from __future__ import annotations

from starlette.datastructures import FormData

from engine.content import ArtifactSpec
from service.catalog import get_catalog
from service.web.pages.artifact_forms import (
    BLANK_ROWS,
    FormField,
    RowGroup,
    build_form,
    describe_gap,
    label_for_path,
    read_form,
)

CONDITIONS = {"shared-influence": "Shared influence", "vision-and-strategy": "Vision and strategy"}


def _spec(kind: str) -> ArtifactSpec:
    return get_catalog().content.artifacts[kind]


def _fields(items: tuple[FormField | RowGroup, ...]) -> list[FormField]:
    found: list[FormField] = []
    for item in items:
        if isinstance(item, RowGroup):
            found += [cell for row in item.rows for cell in row]
        else:
            found.append(item)
    return found


def test_each_schema_type_gets_its_widget() -> None:
    form = build_form(
        spec=_spec("decision"), action="/x", id_prefix="decision", data=None, conditions=CONDITIONS
    )
    widgets = {f.name: f.widget for f in _fields(form.items)}
    assert widgets == {"choice": "select", "rationale": "textarea", "next_condition": "select"}
    next_condition = next(f for f in _fields(form.items) if f.name == "next_condition")
    assert [(o.value, o.label) for o in next_condition.options] == list(CONDITIONS.items())

    timeline = build_form(
        spec=_spec("action_timeline"), action="/x", id_prefix="t", data=None, conditions={}
    )
    due = next(f for f in _fields(timeline.items) if f.name == "items.0.due")
    assert due.widget == "date"
    purpose = build_form(
        spec=_spec("purpose_map"), action="/x", id_prefix="p", data=None, conditions={}
    )
    assert next(f for f in _fields(purpose.items) if f.name == "first_steps").widget == "lines"


def test_a_list_of_objects_gets_its_saved_rows_and_some_blank_ones_each_with_its_own_ids() -> None:
    saved = {"people": [{"name": "Grade 7 team", "part": "Runs it."}]}

    form = build_form(
        spec=_spec("purpose_map"), action="/x", id_prefix="purpose_map", data=saved, conditions={}
    )

    people = next(item for item in form.items if isinstance(item, RowGroup))
    assert len(people.rows) == 1 + BLANK_ROWS
    assert [(f.name, f.value) for f in people.rows[0]] == [
        ("people.0.name", "Grade 7 team"),
        ("people.0.part", "Runs it."),
    ]
    ids = [f.id for f in _fields(form.items)]
    assert len(ids) == len(set(ids))
    assert "purpose_map-people-1-name" in ids


def test_errors_are_placed_beside_their_fields_and_the_rest_above_the_form() -> None:
    form = build_form(
        spec=_spec("action_timeline"),
        action="/x",
        id_prefix="t",
        data={"items": [{"due": "soon", "action": 7}]},
        conditions={},
        errors={
            "items.0.due": "Input should be a valid date",
            "items.0.action": "Input should be a valid string",
            "(body)": "Broken",
        },
        message="Nothing was saved yet.",
    )

    errors = {f.name: f.error for f in _fields(form.items) if f.error}
    assert errors == {
        "items.0.due": "Enter a date as YYYY-MM-DD.",
        "items.0.action": "Input should be a valid string",
    }
    assert form.errors == ("Nothing was saved yet.", "(body): Broken")


def test_reading_a_form_drops_blank_values_and_blank_rows() -> None:
    submitted = FormData(
        [
            ("vision", "  A shared vision.  "),
            ("idea_to_test", "   "),
            ("people.0.name", "Grade 7 team"),
            ("people.1.name", ""),
            ("people.1.part", " "),
            ("people.3.part", "Observes."),
            ("first_steps", "One\r\n\r\nTwo\n"),
            ("success_measures", ""),
            ("csrf_token", "ignored"),
        ]
    )

    assert read_form(_spec("purpose_map"), submitted) == {
        "vision": "A shared vision.",
        "people": [{"name": "Grade 7 team"}, {"part": "Observes."}],
        "first_steps": ["One", "Two"],
    }


def test_paths_read_as_labels_and_gaps_as_sentences() -> None:
    spec = _spec("action_timeline")

    assert label_for_path(spec, "items") == "Actions"
    assert label_for_path(spec, "items.2.due") == "Actions, row 3: Due"
    assert label_for_path(_spec("purpose_map"), "first_steps.0") == "First steps, line 1"
    assert describe_gap(spec, "items.0.owner", "is blank") == "Actions, row 1: Owner is blank"
