"""Reading one response file's header and rows: each becomes a response or a list of problems."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from service.surveys.instruments import FIXED_COLUMNS, Instrument

WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_RESPONDENT_ID = 100
MAX_ROLE = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: its row (the header is row 1), its column, and what."""

    row: int
    column: str | None
    message: str


@dataclass(frozen=True)
class ResponseRow:
    school_id: int
    respondent_id: str
    role: str
    administered_on: dt.date
    wave: str
    answers: dict[str, int]


def school_year(day: dt.date) -> str:
    """The school year (August to July) a date falls in, as "2025-26"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:20] + "...")


def header_problems(
    header: list[str], instrument: Instrument, *, ignore_extra: bool
) -> tuple[list[Problem], bool]:
    """The header's problems, and whether they stop the rows from being read at all."""
    names = [h.strip() for h in header]
    repeated = [
        Problem(1, name, f"the column appears {n} times")
        for name, n in Counter(names).items()
        if n > 1
    ]
    missing_fixed = [
        Problem(1, name, "this column is required") for name in FIXED_COLUMNS if name not in names
    ]
    missing_items = [
        Problem(1, item, f"instrument {instrument.name!r} asks this item; add its column")
        for item in instrument.item_ids
        if item not in names
    ]
    known = {*FIXED_COLUMNS, *instrument.item_ids}
    extra = [
        Problem(
            1,
            name or f"(column {position})",
            f"not a column of instrument {instrument.name!r}; remove it, or ignore extra columns",
        )
        for position, name in enumerate(names, start=1)
        if name not in known and not ignore_extra
    ]
    fatal = bool(repeated or missing_fixed)
    return repeated + missing_fixed + missing_items + extra, fatal


class RowReader:
    """Turns the cells of one row into a response, checking each against the instrument."""

    def __init__(
        self,
        header: list[str],
        *,
        instrument: Instrument,
        schools: dict[str, int],
        wave: str | None,
    ) -> None:
        position = {name.strip(): i for i, name in enumerate(header)}
        self.width = len(header)
        self._fixed = [position[name] for name in FIXED_COLUMNS]
        self._items = [(item, position[item]) for item in instrument.item_ids if item in position]
        self._schools = schools
        self._wave = wave
        self._min = instrument.scale.min
        self._max = instrument.scale.max
        self._points = {str(v): v for v in range(self._min, self._max + 1)}

    def respondent_id(self, cells: list[str]) -> str:
        """The row's respondent id, or "" when the row has no such cell."""
        return cells[self._fixed[2]].strip() if len(cells) == self.width else ""

    def parse(self, row: int, cells: list[str]) -> tuple[ResponseRow | None, list[Problem]]:
        if len(cells) != self.width:
            return None, [
                Problem(row, None, f"{len(cells)} cells, but the header has {self.width}")
            ]
        code, day_text, respondent, role = (cells[i].strip() for i in self._fixed)
        problems = []
        school_id = self._schools.get(code)
        if school_id is None:
            message = f"no school in this program has code {_shown(code)}" if code else "is blank"
            problems.append(Problem(row, "school_code", message))
        day = _date(day_text)
        if day is None:
            message = f"{_shown(day_text)} is not a date as YYYY-MM-DD" if day_text else "is blank"
            problems.append(Problem(row, "administered_on", message))
        if not respondent or len(respondent) > MAX_RESPONDENT_ID:
            message = (
                "is blank" if not respondent else f"longer than {MAX_RESPONDENT_ID} characters"
            )
            problems.append(Problem(row, "respondent_id", message))
        if len(role) > MAX_ROLE:
            problems.append(Problem(row, "role", f"longer than {MAX_ROLE} characters"))
        answers: dict[str, int] = {}
        for item, i in self._items:
            value = self._points.get(cells[i])  # the common case, without a regex or int()
            if value is not None:
                answers[item] = value
                continue
            text = cells[i].strip()
            if not text:
                continue
            if not WHOLE_NUMBER.fullmatch(text):
                problems.append(Problem(row, item, f"{_shown(text)} is not a whole number"))
            elif not self._min <= int(text) <= self._max:
                scale = f"{self._min}-{self._max}"
                problems.append(Problem(row, item, f"{int(text)} is outside the scale {scale}"))
            else:
                answers[item] = int(text)
        if problems or school_id is None or day is None:
            return None, problems
        wave = self._wave or school_year(day)
        return ResponseRow(school_id, respondent, role, day, wave, answers), []


def _date(text: str) -> dt.date | None:
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
