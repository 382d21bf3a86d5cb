"""Instruments: the two shipped ones are valid, and a bad one is refused naming what is wrong."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from content import CONTENT_DIR
from service.catalog import get_catalog
from service.errors import InvalidRequest, NotFound
from service.store.database import unit_of_work
from service.surveys.instruments import (
    EFFICACY,
    InstrumentInvalid,
    load_instrument_file,
    parse_instrument,
)
from service.surveys.registry import instrument_named, register_instrument, resolve_instrument

SHIPPED = CONTENT_DIR / "instruments"


def instrument_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "pulse",
        "title": "Pulse check",
        "scale": {"min": 1, "max": 4, "labels": ["No", "Rarely", "Often", "Yes"]},
        "items": [
            {"id": "P1", "text": "We plan together.", "measures": "teamwork"},
            {"id": "P2", "text": "I plan alone.", "measures": "teamwork", "reverse": True},
            {"id": "P3", "text": "I can reach every student.", "measures": "efficacy"},
        ],
    }
    return {**data, **changes}


def test_the_systems_survey_asks_three_or_four_items_per_condition_some_reversed() -> None:
    survey = load_instrument_file(SHIPPED / "systems-conditions.yaml")
    per_scale = survey.scale_items()
    assert list(per_scale) == get_catalog().content.condition_slugs
    assert all(3 <= len(items) <= 4 for items in per_scale.values())
    assert 3 <= sum(item.reverse for item in survey.items) <= 8


def test_the_efficacy_survey_asks_six_to_eight_items_on_one_scale() -> None:
    survey = load_instrument_file(SHIPPED / "educator-efficacy.yaml")
    assert list(survey.scale_items()) == [EFFICACY]
    assert 6 <= len(survey.items) <= 8
    assert any(item.reverse for item in survey.items)


def test_a_valid_instrument_flips_reverse_items_within_its_scale() -> None:
    pulse = parse_instrument(instrument_data(), "pulse.yaml")
    assert [pulse.scale.flip(v) for v in (1, 2, 3, 4)] == [4, 3, 2, 1]
    assert list(pulse.scale_items()) == ["teamwork", "efficacy"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scale": {"min": 5, "max": 1}}, "scale min (5) must be below its max (1)"),
        ({"scale": {"min": 1, "max": 1}}, "scale min (1) must be below its max (1)"),
        ({"scale": {"min": 0, "max": 20}}, "has 21 points; at most 11"),
        ({"scale": {"min": 1, "max": 5, "labels": ["a", "b"]}}, "5 points but 2 labels"),
        ({"scale": {"min": "low", "max": 5}}, "scale.min: Input should be a valid integer"),
        ({"items": []}, "items: List should have at least 1 item"),
        (
            {"items": [{"id": "P1", "text": "a", "measures": "x"}] * 2},
            "item id 'P1' is used 2 times",
        ),
        (
            {"items": [{"id": "P1", "text": "a", "measures": "Team Work"}]},
            "items[0] item 'P1' measures: String should match pattern",
        ),
        (
            {"items": [{"id": "P1", "text": "", "measures": "x"}]},
            "items[0] item 'P1' text: String should have at least 1 character",
        ),
        (
            {"items": [{"id": "role", "text": "a", "measures": "x"}]},
            "item 'role' reuses the fixed column name",
        ),
        ({"scales": ["teamwork", "efficacy", "trust"]}, "scale 'trust' has no items"),
        ({"scales": ["teamwork"]}, "item 'P3' measures 'efficacy', which is not in `scales`"),
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
    ],
    ids=[
        "min-above-max",
        "min-equals-max",
        "too-wide",
        "labels-miscounted",
        "bound-not-a-number",
        "no-items",
        "duplicate-id",
        "measures-not-a-name",
        "blank-text",
        "id-is-a-fixed-column",
        "scale-without-items",
        "item-outside-the-scales",
        "unknown-key",
    ],
)
def test_a_bad_instrument_is_refused_naming_the_source_and_the_fault(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InstrumentInvalid) as refused:
        parse_instrument(instrument_data(**changes), "pulse.yaml")
    assert str(refused.value).startswith("pulse.yaml: ")
    assert message in str(refused.value)


def test_a_file_that_is_not_yaml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentInvalid, match=r"broken\.yaml: not valid YAML"):
        load_instrument_file(path)


def test_an_instrument_name_keeps_its_first_body(db: Engine) -> None:
    name = f"pulse-{uuid.uuid4().hex[:8]}"
    first = parse_instrument(instrument_data(name=name), "pulse.yaml")
    changed = parse_instrument(instrument_data(name=name, title="Pulse, reworded"), "pulse.yaml")
    with unit_of_work(db) as session:
        register_instrument(session=session, instrument=first)
        register_instrument(session=session, instrument=first)
        with pytest.raises(InvalidRequest, match="already registered with other content"):
            register_instrument(session=session, instrument=changed)
        assert instrument_named(session=session, name=name) == first


def test_a_shipped_instrument_is_found_by_name_and_a_file_by_its_path(
    db: Engine, tmp_path: Path
) -> None:
    name = f"pulse-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "pulse.yaml"
    path.write_text(
        Path(SHIPPED / "educator-efficacy.yaml")
        .read_text(encoding="utf-8")
        .replace("name: educator-efficacy", f"name: {name}"),
        encoding="utf-8",
    )
    with unit_of_work(db) as session:
        assert instrument_named(session=session, name="systems-conditions").name == (
            "systems-conditions"
        )
        assert resolve_instrument(session=session, name_or_file=str(path)).name == name
        assert instrument_named(session=session, name=name).name == name


@pytest.mark.parametrize("name", ["no-such-survey", "../content/instruments/x", "/etc/passwd"])
def test_a_name_that_is_neither_registered_nor_shipped_is_not_found(db: Engine, name: str) -> None:
    with unit_of_work(db) as session, pytest.raises(NotFound):
        instrument_named(session=session, name=name)
