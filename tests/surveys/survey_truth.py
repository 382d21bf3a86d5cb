"""A generated program whose outcomes are known before it is scored.

24 schools answer both surveys in the autumns of 2024 and 2025. Between the waves the first five
conditions rise by one point at every school and the last two fall by one; efficacy rises at
schools 1-15, falls at 16-21 and stays level at 22-24. A 25th school has only three respondents
and moves the other way on everything: it is suppressed, so it must change none of the figures.
Respondents vary around their school's level by -1, 0 or +1 (summing to zero), so every school's
mean is exact.
"""

from __future__ import annotations

import datetime as dt

from survey_factories import FALL_2024, FALL_2025, Row, answers_scoring, response_file

from service.surveys.instruments import EFFICACY, Instrument

SCHOOLS = 24
RISING_EFFICACY = 15
LEVEL_EFFICACY = 3
SMALL_SCHOOL_RESPONDENTS = 3


def _offsets(n: int) -> list[int]:
    return [0, 0] + [-1, 1] * ((n - 2) // 2)


def _efficacy_step(school: int) -> int:
    if school < RISING_EFFICACY:
        return 1
    return 0 if school >= SCHOOLS - LEVEL_EFFICACY else -1


def _levels(conditions: list[str], school: int, second_wave: bool, small: bool) -> dict[str, int]:
    """The school's level per scale in a wave (respondents vary around it)."""
    if small:
        return dict.fromkeys([*conditions, EFFICACY], 1 if second_wave else 5)
    rising, falling = conditions[:5], conditions[5:]
    if not second_wave:
        return dict.fromkeys([*conditions, EFFICACY], 3)
    return {
        **dict.fromkeys(rising, 4),
        **dict.fromkeys(falling, 2),
        EFFICACY: 3 + _efficacy_step(school),
    }


def truth_files(
    codes: list[str], conditions: list[str], instruments: list[Instrument]
) -> list[tuple[str, dt.date, bytes]]:
    """(instrument, wave date, file) for each survey and wave; codes[24] is the small school."""
    files = []
    for day in (FALL_2024, FALL_2025):
        for chosen in instruments:
            rows: list[Row] = []
            for school, code in enumerate(codes):
                small = school >= SCHOOLS
                n = SMALL_SCHOOL_RESPONDENTS if small else 6 + 2 * (school % 3)
                levels = _levels(conditions, school, day == FALL_2025, small)
                offsets = [0] * n if small else _offsets(n)
                for k, offset in enumerate(offsets):
                    mine = {scale: level + offset for scale, level in levels.items()}
                    role = "administrator" if k == 0 else "teacher"
                    rows.append((code, day, f"{code}-{k}", role, answers_scoring(chosen, mine)))
            files.append((chosen.name, day, response_file(chosen.item_ids, rows)))
    return files
