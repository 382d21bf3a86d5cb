"""Systems-conditions response files where each respondent answers every item at one level."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from service.store.database import unit_of_work
from service.surveys.instruments import FIXED_COLUMNS, Instrument
from service.surveys.registry import instrument_named

SYSTEMS = "systems-conditions"

Respondent = tuple[str, str, str, int]
"""(school code, administered on, respondent id, the level they give every item)."""


def systems_instrument(db: Engine) -> Instrument:
    with unit_of_work(db, write=False) as session:
        return instrument_named(session=session, name=SYSTEMS)


def responses_csv(instrument: Instrument, respondents: Iterable[Respondent]) -> bytes:
    """One row per respondent; a reverse-worded item gets the flipped answer, so it scores level."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow([*FIXED_COLUMNS, *(item.id for item in instrument.items)])
    for code, day, respondent, level in respondents:
        answers = [
            instrument.scale.flip(level) if item.reverse else level for item in instrument.items
        ]
        rows.writerow([code, day, respondent, "teacher", *answers])
    return out.getvalue().encode()


def upload(
    client: TestClient, program_id: int, data: bytes, headers: dict[str, str], wave: str
) -> Response:
    return client.post(
        f"/api/programs/{program_id}/surveys/{SYSTEMS}/responses",
        params={"wave": wave},
        content=data,
        headers={**headers, "Content-Type": "text/csv"},
    )
