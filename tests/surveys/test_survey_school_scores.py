"""A school's condition scores in its latest wave, as a team sees them when choosing."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine
from survey_factories import (
    FALL_2024,
    FALL_2025,
    SYSTEMS,
    answers_scoring,
    instrument,
    new_program,
    response_file,
    run_import,
    school_id,
)

from service.catalog import get_catalog
from service.store.database import unit_of_work
from service.surveys.school_scores import SchoolWaveScores, latest_school_scores
from service.surveys.scoring import SchoolScore

CONDITIONS = get_catalog().content.condition_slugs


def answered(
    db: Engine, program_id: int, code: str, levels: dict[str, int], *, n: int, **kwargs: object
) -> None:
    """Import `n` new respondents at school `code`, each scoring exactly `levels`."""
    chosen = instrument(db, SYSTEMS)
    day = kwargs.pop("day", FALL_2025)
    answers = answers_scoring(chosen, levels)
    rows = [(code, day, uuid.uuid4().hex, "teacher", answers) for _ in range(n)]
    run_import(db, program_id, SYSTEMS, response_file(chosen.item_ids, rows), **kwargs)


def latest(db: Engine, program_id: int, code: str) -> SchoolWaveScores:
    with unit_of_work(db, write=False) as session:
        return latest_school_scores(session=session, school_id=school_id(db, program_id, code))


def test_a_school_is_scored_on_each_condition_of_its_latest_wave_alone(db: Engine) -> None:
    program_id, _ = new_program(db, schools=2)
    answered(db, program_id, "S01", dict.fromkeys(CONDITIONS, 1), n=5, day=FALL_2024)
    answered(db, program_id, "S01", {"vision-and-strategy": 2, "shared-influence": 4}, n=5)
    answered(db, program_id, "S02", {"vision-and-strategy": 5, "shared-influence": 1}, n=6)

    scores = latest(db, program_id, "S01")

    assert scores.wave == "2025-26"
    assert [s.condition for s in scores.conditions] == CONDITIONS
    by_condition = {s.condition: s.score for s in scores.conditions}
    assert by_condition["vision-and-strategy"] == SchoolScore(n=5, mean=2.0, suppressed=False)
    assert by_condition["shared-influence"] == SchoolScore(n=5, mean=4.0, suppressed=False)
    assert by_condition["orientation-to-improve"] == SchoolScore(n=0, mean=None, suppressed=True)
    need, strength = scores.suggestions.greatest_need, scores.suggestions.greatest_strength
    assert need is not None and strength is not None
    assert (need.condition, strength.condition) == ("vision-and-strategy", "shared-influence")


def test_a_condition_below_the_minimum_n_keeps_its_n_but_not_its_value(db: Engine) -> None:
    program_id, _ = new_program(db)
    answered(db, program_id, "S01", {"vision-and-strategy": 2}, n=4)
    answered(db, program_id, "S01", {"shared-influence": 4, "capacity-and-resources": 3}, n=5)

    scores = latest(db, program_id, "S01")

    by_condition = {s.condition: s.score for s in scores.conditions}
    assert by_condition["vision-and-strategy"] == SchoolScore(n=4, mean=None, suppressed=True)
    need = scores.suggestions.greatest_need
    assert need is not None and need.condition == "capacity-and-resources"


def test_the_latest_wave_is_the_one_given_last_whatever_its_label(db: Engine) -> None:
    program_id, _ = new_program(db)
    answered(db, program_id, "S01", {"shared-influence": 2}, n=5, wave="b-spring")
    autumn = FALL_2025 + dt.timedelta(days=30)
    answered(db, program_id, "S01", {"shared-influence": 4}, n=5, wave="a-autumn", day=autumn)

    assert latest(db, program_id, "S01").wave == "a-autumn"


def test_a_school_without_survey_data_has_no_wave_and_no_suggestion(db: Engine) -> None:
    program_id, _ = new_program(db, schools=2)
    answered(db, program_id, "S02", {"shared-influence": 2, "vision-and-strategy": 4}, n=5)

    scores = latest(db, program_id, "S01")

    assert scores.wave is None
    assert {s.score.n for s in scores.conditions} == {0}
    assert scores.suggestions.greatest_need is None
    assert scores.suggestions.greatest_strength is None
