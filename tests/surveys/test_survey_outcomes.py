"""Program outcomes between two waves, on a generated program whose truth is known."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from survey_factories import (
    EFFICACY,
    FALL_2024,
    FALL_2025,
    SYSTEMS,
    answers_scoring,
    instrument,
    new_program,
    response_file,
    run_import,
)
from survey_truth import SCHOOLS, truth_files

from service.catalog import get_catalog
from service.errors import InvalidRequest
from service.store.database import unit_of_work
from service.surveys.instruments import parse_instrument
from service.surveys.outcomes import program_outcomes, program_waves
from service.surveys.registry import register_instrument
from service.surveys.report import OutcomesOut, outcomes_csv, outcomes_out

CONDITIONS = get_catalog().content.condition_slugs


def known_program(db: Engine) -> tuple[int, list[str]]:
    program_id, codes = new_program(db, schools=SCHOOLS + 1)
    instruments = [instrument(db, SYSTEMS), instrument(db, EFFICACY)]
    for name, _, data in truth_files(codes, CONDITIONS, instruments):
        run_import(db, program_id, name, data)
    return program_id, codes


def report(db: Engine, program_id: int, **kwargs: object) -> OutcomesOut:
    with unit_of_work(db, write=False) as session:
        found = program_outcomes(session=session, program_id=program_id, **kwargs)  # type: ignore[arg-type]
    return outcomes_out(found)


def test_the_report_states_the_known_truth_of_a_generated_program(db: Engine) -> None:
    program_id, _ = known_program(db)
    out = report(db, program_id, from_wave="2024-25", to_wave="2025-26")

    assert out.conditions_improved == 5
    assert out.conditions_total == 7
    assert [(c.condition, c.improved) for c in out.conditions] == [
        (slug, n < 5) for n, slug in enumerate(CONDITIONS)
    ]
    assert all(c.schools_compared == SCHOOLS for c in out.conditions)
    assert [c.schools_improved for c in out.conditions] == [24] * 5 + [0] * 2
    assert [c.mean_change for c in out.conditions] == [1.0] * 5 + [-1.0] * 2
    assert out.efficacy.model_dump() == {
        "schools_compared": 24,
        "schools_increased": 15,
        "percent_increased": 62.5,
        "mean_change": pytest.approx((15 - 6) / 24),
    }
    assert out.other_scales == []


def test_a_small_school_is_shown_as_suppressed_and_left_out_of_the_figures(db: Engine) -> None:
    program_id, codes = known_program(db)
    out = report(db, program_id, from_wave="2024-25", to_wave="2025-26")
    small = [s for s in out.schools if s.school_code == codes[SCHOOLS]]
    assert len(small) == 8
    assert all(s.suppressed and (s.from_n, s.to_n) == (3, 3) for s in small)
    assert all(s.from_mean is s.to_mean is s.change is s.ci_low is None for s in small)
    # Counted, the small school would make it 15 of 25 (60%).
    lowered = report(db, program_id, from_wave="2024-25", to_wave="2025-26", min_n=3)
    assert lowered.efficacy.percent_increased == 60.0


def test_each_school_change_has_a_confidence_interval_around_it(db: Engine) -> None:
    program_id, _ = known_program(db)
    out = report(db, program_id, from_wave="2024-25", to_wave="2025-26")
    shown = [s for s in out.schools if not s.suppressed]
    assert len(shown) == SCHOOLS * 8
    for s in shown:
        assert s.ci_low is not None and s.ci_high is not None and s.change is not None
        assert s.ci_low < s.change < s.ci_high
        assert s.change == pytest.approx(s.to_mean - s.from_mean, abs=2e-3)  # type: ignore[operator]


def test_the_csv_has_a_row_per_condition_then_efficacy(db: Engine) -> None:
    program_id, _ = known_program(db)
    lines = outcomes_csv(
        report(db, program_id, from_wave="2024-25", to_wave="2025-26")
    ).splitlines()
    assert lines[0] == (
        "scale,kind,schools_compared,schools_improved,mean_change,improved,percent_improved"
    )
    assert lines[1] == "vision-and-strategy,condition,24,24,1.0,True,"
    assert lines[8] == "efficacy,efficacy,24,15,0.375,True,62.5"
    assert len(lines) == 9


def one_school_answers(
    db: Engine, program_id: int, name: str, level: int, **kwargs: object
) -> None:
    """Five respondents at school S01 answer instrument `name` at `level` on every scale."""
    chosen = instrument(db, name)
    levels = dict.fromkeys(chosen.scale_items(), level)
    day = kwargs.pop("day", FALL_2024)
    rows = [("S01", day, f"r{k}", "t", answers_scoring(chosen, levels)) for k in range(5)]
    run_import(db, program_id, name, response_file(chosen.item_ids, rows), **kwargs)


def outcomes(db: Engine, program_id: int, from_wave: str, to_wave: str) -> None:
    with unit_of_work(db, write=False) as session:
        program_outcomes(
            session=session, program_id=program_id, from_wave=from_wave, to_wave=to_wave
        )


def test_a_wave_without_responses_or_the_same_wave_twice_is_refused(db: Engine) -> None:
    program_id, _ = new_program(db)
    one_school_answers(db, program_id, EFFICACY, 3)
    with unit_of_work(db, write=False) as session:
        assert program_waves(session=session, program_id=program_id) == ["2024-25"]
    with pytest.raises(InvalidRequest, match=r"no survey responses in wave '2030-31' \(waves: "):
        outcomes(db, program_id, "2024-25", "2030-31")
    with pytest.raises(InvalidRequest, match="two different waves"):
        outcomes(db, program_id, "2024-25", "2024-25")


def own_instrument(db: Engine, measures: str) -> str:
    """A program's own two-item instrument on scale `measures`, registered; returns its name."""
    name = f"own-{uuid.uuid4().hex[:8]}"
    items = [{"id": f"Q{n}", "text": "A statement.", "measures": measures} for n in (1, 2)]
    body = {"name": name, "title": "Own", "scale": {"min": 1, "max": 7}, "items": items}
    with unit_of_work(db) as session:
        register_instrument(session=session, instrument=parse_instrument(body, name))
    return name


def test_a_programs_own_scale_is_scored_and_reported_beside_the_conditions(db: Engine) -> None:
    program_id, _ = new_program(db)
    name = own_instrument(db, "family-engagement")
    one_school_answers(db, program_id, name, 3)
    one_school_answers(db, program_id, name, 6, day=FALL_2025)
    out = report(db, program_id, from_wave="2024-25", to_wave="2025-26")
    assert [(s.scale, s.schools_compared, s.mean_change) for s in out.other_scales] == [
        ("family-engagement", 1, 3.0)
    ]
    assert out.conditions_improved == 0
    assert out.efficacy.percent_increased is None


def test_two_instruments_measuring_one_scale_in_a_wave_are_refused(db: Engine) -> None:
    program_id, _ = new_program(db)
    one_school_answers(db, program_id, EFFICACY, 3)
    one_school_answers(db, program_id, EFFICACY, 4, day=FALL_2025)
    one_school_answers(db, program_id, own_instrument(db, "efficacy"), 3)
    with pytest.raises(InvalidRequest, match="which both measure 'efficacy'"):
        outcomes(db, program_id, "2024-25", "2025-26")
