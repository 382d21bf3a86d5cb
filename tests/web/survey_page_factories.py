"""Survey data for the page tests: response files for a team's school, imported or uploaded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from sqlalchemy import Engine
from sqlmodel import func, select

from service.store.database import unit_of_work
from service.store.models import School, SurveyResponse, Team
from service.surveys.importing import import_responses
from service.surveys.instruments import FIXED_COLUMNS
from service.surveys.registry import instrument_named

SYSTEMS = "systems-conditions"
AUTUMN = dt.date(2025, 10, 1)


def school_code(db: Engine, team_id: int) -> str:
    """The code of the team's school, as response files name it."""
    with unit_of_work(db, write=False) as session:
        return session.exec(
            select(School.code).join(Team, Team.school_id == School.id).where(Team.id == team_id)
        ).one()


def systems_file(
    db: Engine, rows: list[tuple[str, dict[str, int]]], *, day: dt.date = AUTUMN
) -> bytes:
    """One respondent per (school code, level per condition), answering at exactly that level."""
    with unit_of_work(db) as session:
        chosen = instrument_named(session=session, name=SYSTEMS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *chosen.item_ids])
    for code, levels in rows:
        answers = [
            ""
            if item.measures not in levels
            else chosen.scale.flip(levels[item.measures])
            if item.reverse
            else levels[item.measures]
            for item in chosen.items
        ]
        writer.writerow([code, day.isoformat(), uuid.uuid4().hex, "teacher", *answers])
    return out.getvalue().encode()


def imported(db: Engine, program_id: int, data: bytes, instrument: str = SYSTEMS) -> None:
    with unit_of_work(db) as session:
        import_responses(
            session=session,
            program_id=program_id,
            instrument=instrument_named(session=session, name=instrument),
            source=io.BytesIO(data),
        )


def responses_stored(db: Engine, program_id: int) -> int:
    with unit_of_work(db, write=False) as session:
        return session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.program_id == program_id)
        ).one()
