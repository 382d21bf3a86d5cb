"""Small factories for the survey tests: programs with schools, response files, imports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Engine
from sqlmodel import select

from service.organisation import add_school, create_program
from service.store.database import unit_of_work
from service.store.models import School, SurveyResponse
from service.surveys.importing import ImportResult, import_responses
from service.surveys.instruments import FIXED_COLUMNS, Instrument
from service.surveys.registry import instrument_named

SYSTEMS = "systems-conditions"
EFFICACY = "educator-efficacy"
FALL_2024 = dt.date(2024, 10, 1)
FALL_2025 = dt.date(2025, 10, 1)

Row = tuple[str, dt.date | str, str, str, dict[str, int | str]]
"""(school code, administered on, respondent id, role, answers by item id)."""


def new_program(db: Engine, schools: int = 1) -> tuple[int, list[str]]:
    """A program with `schools` schools coded S01, S02, ...: (program id, codes)."""
    codes = [f"S{n:02d}" for n in range(1, schools + 1)]
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"Program {uuid.uuid4().hex[:8]}")
        for code in codes:
            add_school(
                session=session, program_id=program.id or 0, name=f"School {code}", code=code
            )
        return program.id or 0, codes


def instrument(db: Engine, name: str) -> Instrument:
    with unit_of_work(db) as session:
        return instrument_named(session=session, name=name)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def response_file(items: Sequence[str], rows: Iterable[Row]) -> bytes:
    """A response file asking `items`; answers not given are left blank."""
    return csv_text(
        [*FIXED_COLUMNS, *items],
        (
            [code, str(day), respondent, role, *(answers.get(i, "") for i in items)]
            for code, day, respondent, role, answers in rows
        ),
    )


def answers_scoring(chosen: Instrument, levels: dict[str, int]) -> dict[str, int | str]:
    """Answers that put the respondent exactly at `levels[scale]` on each scale named."""
    return {
        item.id: chosen.scale.flip(levels[item.measures]) if item.reverse else levels[item.measures]
        for item in chosen.items
        if item.measures in levels
    }


def run_import(
    db: Engine, program_id: int, name: str, data: bytes, **kwargs: object
) -> ImportResult:
    with unit_of_work(db) as session:
        return import_responses(
            session=session,
            program_id=program_id,
            instrument=instrument_named(session=session, name=name),
            source=io.BytesIO(data),
            **kwargs,  # type: ignore[arg-type]
        )


def respondents_scoring(
    db: Engine,
    program_id: int,
    code: str,
    levels: dict[str, int],
    *,
    n: int,
    day: dt.date = FALL_2025,
    **kwargs: object,
) -> ImportResult:
    """Import `n` new systems-survey respondents at school `code`, each scoring `levels`."""
    chosen = instrument(db, SYSTEMS)
    answers = answers_scoring(chosen, levels)
    rows = [(code, day, uuid.uuid4().hex, "teacher", answers) for _ in range(n)]
    return run_import(db, program_id, SYSTEMS, response_file(chosen.item_ids, rows), **kwargs)


def stored(db: Engine, program_id: int) -> list[tuple[str, str, str, str, dict[str, int]]]:
    """(instrument, wave, respondent id, role, answers) of the program's responses, in order."""
    with unit_of_work(db, write=False) as session:
        rows = session.exec(
            select(
                SurveyResponse.instrument,
                SurveyResponse.wave,
                SurveyResponse.respondent_id,
                SurveyResponse.role,
                SurveyResponse.answers,
            ).where(SurveyResponse.program_id == program_id)
        ).all()
    return sorted((tuple(row) for row in rows), key=lambda row: row[:3])  # type: ignore[return-value]


def school_id(db: Engine, program_id: int, code: str) -> int:
    with unit_of_work(db, write=False) as session:
        found = session.exec(
            select(School.id).where(School.program_id == program_id, School.code == code)
        ).one()
        return found or 0
