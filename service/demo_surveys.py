"""Two waves of both surveys for the demo program, so outcome and profile views have data.

Each school gets a level per scale and a trend between the waves: most conditions rise,
two fall, and efficacy rises in most schools. Respondents answer around the school's
level with some spread; reverse-scored items are answered the other way round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from sqlmodel import Session

from service.store.models import School
from service.surveys.importing import import_responses
from service.surveys.instruments import Instrument, ResponseScale
from service.surveys.registry import instrument_named

INSTRUMENTS = ("systems-conditions", "educator-efficacy")
WAVES = (dt.date(2025, 4, 22), dt.date(2025, 11, 4))
"""Fixed administrations for tests that name the waves ("2024-25", "2025-26")."""


def waves_around(today: dt.date) -> tuple[dt.date, dt.date]:
    """A baseline before any demo cycle starts and a follow-up a week ago.

    More than a year apart, so the two always fall in different school years, and the
    demo's launches land between them on a school's trend chart.
    """
    return today - dt.timedelta(days=400), today - dt.timedelta(days=7)


RESPONDENTS_PER_SCHOOL = 8
FALLING = ("capacity-and-resources", "shared-influence")


def _answer(level: float, item_reverse: bool, scale: ResponseScale, rng: random.Random) -> int:
    value = min(scale.max, max(scale.min, round(rng.gauss(level, 0.8))))
    return scale.flip(value) if item_reverse else value


def _csv(
    instrument: Instrument,
    schools: list[School],
    levels: dict[tuple[int, str], float],
    wave: int,
    administered_on: dt.date,
    rng: random.Random,
) -> bytes:
    """One administration: the same people answer each wave, one file per wave."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "school_code",
            "administered_on",
            "respondent_id",
            "role",
            *(i.id for i in instrument.items),
        ]
    )
    for n, school in enumerate(schools):
        for person in range(RESPONDENTS_PER_SCHOOL):
            answers = []
            for item in instrument.items:
                step = -0.4 if item.measures in FALLING else 0.45
                if item.measures == "efficacy" and n % 8 in (3, 6):
                    step = -0.3  # efficacy falls in a quarter of the schools
                level = levels[(n, item.measures)] + wave * step
                answers.append(_answer(level, item.reverse, instrument.scale, rng))
            role = "teacher" if person else "administrator"
            writer.writerow(
                [
                    school.code,
                    administered_on.isoformat(),
                    f"{school.code}-{person:02d}",
                    role,
                    *answers,
                ]
            )
    return out.getvalue().encode()


def seed_surveys(
    session: Session,
    *,
    program_id: int,
    schools: list[School],
    waves: tuple[dt.date, dt.date] = WAVES,
    seed: int = 11,
) -> None:
    """Import both waves of both instruments for the schools, through the real importer."""
    rng = random.Random(seed)
    for name in INSTRUMENTS:
        instrument = instrument_named(session=session, name=name)
        scales = {item.measures for item in instrument.items}
        levels = {(n, s): 2.6 + rng.random() * 1.2 for n in range(len(schools)) for s in scales}
        for wave, administered_on in enumerate(waves):
            import_responses(
                session=session,
                program_id=program_id,
                instrument=instrument,
                source=io.BytesIO(_csv(instrument, schools, levels, wave, administered_on, rng)),
            )
