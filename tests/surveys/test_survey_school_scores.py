"""A school's condition scores in its latest wave, as a team sees them when choosing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from survey_factories import FALL_2024, FALL_2025, new_program, respondents_scoring, school_id

from service.catalog import get_catalog
from service.store.database import unit_of_work
from service.surveys.school_scores import SchoolWaveScores, latest_school_scores
from service.surveys.scoring import SchoolScore

CONDITIONS = get_catalog().content.condition_slugs

VISION, INFLUENCE = "vision-and-strategy", "shared-influence"
CAPACITY = "capacity-and-resources"


def latest(db: Engine, program_id: int, code: str) -> SchoolWaveScores:
    with unit_of_work(db, write=False) as session:
        return latest_school_scores(session=session, school_id=school_id(db, program_id, code))


def test_a_school_is_scored_on_each_condition_of_its_latest_wave_alone(db: Engine) -> None:
    program_id, _ = new_program(db, schools=2)
    respondents_scoring(db, program_id, "S01", dict.fromkeys(CONDITIONS, 1), n=5, day=FALL_2024)
    respondents_scoring(db, program_id, "S01", {VISION: 2, INFLUENCE: 4}, n=5)
    respondents_scoring(db, program_id, "S02", {VISION: 5, INFLUENCE: 1}, n=6)

    scores = latest(db, program_id, "S01")

    assert scores.wave == "2025-26"
    assert [s.condition for s in scores.conditions] == CONDITIONS
    by_condition = {s.condition: s.score for s in scores.conditions}
    assert by_condition[VISION] == SchoolScore(n=5, mean=2.0, suppressed=False)
    assert by_condition[INFLUENCE] == SchoolScore(n=5, mean=4.0, suppressed=False)
    assert by_condition["orientation-to-improve"] == SchoolScore(n=0, mean=None, suppressed=True)
    need, strength = scores.suggestions.greatest_need, scores.suggestions.greatest_strength
    assert need is not None and strength is not None
    assert (need.condition, strength.condition) == (VISION, INFLUENCE)


def test_a_condition_below_the_minimum_n_keeps_its_n_but_not_its_value(db: Engine) -> None:
    program_id, _ = new_program(db)
    respondents_scoring(db, program_id, "S01", {VISION: 2}, n=4)
    respondents_scoring(db, program_id, "S01", {INFLUENCE: 4, CAPACITY: 3}, n=5)

    scores = latest(db, program_id, "S01")

    by_condition = {s.condition: s.score for s in scores.conditions}
    assert by_condition[VISION] == SchoolScore(n=4, mean=None, suppressed=True)
    need = scores.suggestions.greatest_need
    assert need is not None and need.condition == CAPACITY


def test_the_latest_wave_is_the_one_given_last_whatever_its_label(db: Engine) -> None:
    program_id, _ = new_program(db)
    respondents_scoring(db, program_id, "S01", {INFLUENCE: 2}, n=5, wave="b-spring")
    autumn = FALL_2025 + dt.timedelta(days=30)
    respondents_scoring(db, program_id, "S01", {INFLUENCE: 4}, n=5, wave="a-autumn", day=autumn)

    assert latest(db, program_id, "S01").wave == "a-autumn"


def test_a_school_without_survey_data_has_no_wave_and_no_suggestion(db: Engine) -> None:
    program_id, _ = new_program(db, schools=2)
    respondents_scoring(db, program_id, "S02", {INFLUENCE: 2, VISION: 4}, n=5)

    scores = latest(db, program_id, "S01")

    assert scores.wave is None
    assert {s.score.n for s in scores.conditions} == {0}
    assert scores.suggestions.greatest_need is None
    assert scores.suggestions.greatest_strength is None
