"""Importing a CSV file of survey responses: all of it, or none of it.

The file is read twice, streaming. The first pass checks every row and collects every problem
with its row and column; if there is any, nothing is written. The second pass writes the rows in
batches inside the caller's transaction, each row an INSERT ... ON CONFLICT on the unique key
(program, instrument, wave, respondent), so a respondent stored before is replaced through the
index. A person answering twice in one file is caught by a fixed-size filter (repeats.py), so
memory does not grow with the file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from engine.errors import EngineError
from service.errors import InvalidRequest, NotFound
from service.store.models import Program, School, SurveyResponse, utcnow
from service.surveys.instruments import Instrument
from service.surveys.repeats import RepeatFinder
from service.surveys.rows import Problem, RowReader, header_problems

BATCH_SIZE = 1000
MAX_PROBLEMS = 1000
"""Problems kept for the report; the total is always counted."""
MAX_WAVE_LENGTH = 50

Progress = Callable[[str, int], None]
"""Told ("check" or "write", rows done so far) as the import goes."""


class ImportRefused(EngineError):
    """A file that was not imported, with its problems (the first MAX_PROBLEMS of them)."""

    def __init__(self, problems: list[Problem], total: int) -> None:
        more = f"; the first {len(problems)} are listed" if total > len(problems) else ""
        super().__init__(f"nothing was imported: the file has {total} problem(s){more}")
        self.problems = problems
        self.total = total


@dataclass(frozen=True)
class ImportResult:
    instrument: str
    rows: int
    replaced: int
    """How many of the rows replaced a response stored before (same respondent and wave)."""
    waves: dict[str, int]


class _Problems:
    def __init__(self, limit: int) -> None:
        self.kept: list[Problem] = []
        self.total = 0
        self._limit = limit

    def add(self, *problems: Problem) -> None:
        self.total += len(problems)
        self.kept.extend(problems[: max(0, self._limit - len(self.kept))])

    def refuse(self) -> ImportRefused:
        return ImportRefused(self.kept, self.total)


@contextmanager
def _records(source: IO[bytes]) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """(row number, cells) of every non-blank record, from the start of the file."""
    source.seek(0)
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        yield ((n, cells) for n, cells in enumerate(csv.reader(text), start=1) if any(cells))
    finally:
        text.detach()  # the caller owns `source`: closing the wrapper would close it


def _check(
    source: IO[bytes],
    *,
    instrument: Instrument,
    schools: dict[str, int],
    wave: str | None,
    ignore_extra: bool,
    progress: Progress | None,
    max_problems: int,
) -> tuple[RowReader, Counter[str]]:
    """Read every row; raise ImportRefused with all the problems, or count the rows per wave."""
    found = _Problems(max_problems)
    finder = RepeatFinder()
    waves: Counter[str] = Counter()
    reader: RowReader | None = None
    readable = True
    row = 1
    try:
        with _records(source) as records:
            first = next(records, None)
            if first is None:
                found.add(Problem(1, None, "the file is empty; the first row must be the header"))
                raise found.refuse()
            problems, fatal = header_problems(first[1], instrument, ignore_extra=ignore_extra)
            found.add(*problems)
            if fatal:
                raise found.refuse()
            reader = RowReader(first[1], instrument=instrument, schools=schools, wave=wave)
            for row, cells in records:
                response, problems = reader.parse(row, cells)
                found.add(*problems)
                if response is not None:
                    waves[response.wave] += 1
                if respondent := reader.respondent_id(cells):
                    finder.add(respondent)
                if progress is not None and row % BATCH_SIZE == 0:
                    progress("check", row - 1)
    except UnicodeDecodeError:
        readable = False
        found.add(Problem(row + 1, None, f"the file is not UTF-8 text (near row {row + 1})"))
    except csv.Error as exc:
        readable = False
        found.add(Problem(row + 1, None, f"not readable as CSV: {exc}"))
    if reader is None:
        raise found.refuse()
    if readable and finder.suspects:
        found.add(*_repeats(source, reader, finder))
    if row == 1 and not found.total:
        found.add(Problem(2, None, "the file has a header but no responses"))
    if found.total:
        found.kept.sort(key=lambda p: p.row)
        raise found.refuse()
    if progress is not None:
        progress("check", row - 1)
    return reader, waves


def _repeats(source: IO[bytes], reader: RowReader, finder: RepeatFinder) -> list[Problem]:
    """The rows whose respondent already answered on an earlier row of the file."""
    with _records(source) as records:
        next(records)
        ids = ((row, reader.respondent_id(cells)) for row, cells in records)
        return [
            Problem(row, "respondent_id", f"also answers on row {earlier}")
            for row, earlier in finder.repeats(ids)
        ]


KEY = ("program_id", "instrument", "wave", "respondent_id")
"""A response is one respondent's, to one instrument, in one wave of one program."""


def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (KEY) DO UPDATE: the unique index finds what a row replaces."""
    table = SurveyResponse.__table__
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if dialect not in dialects:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"survey import does not support {dialect}")
    statement = dialects[dialect](table)
    updated = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in KEY}
    updated.pop("id")
    return statement.on_conflict_do_update(index_elements=list(KEY), set_=updated)


def _stored(session: Session, *, program_id: int, instrument: str, waves: list[str]) -> int:
    """How many responses to the instrument the program holds in these waves."""
    return session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.program_id == program_id,
            SurveyResponse.instrument == instrument,
            col(SurveyResponse.wave).in_(waves),
        )
    ).one()


def _write(
    session: Session,
    source: IO[bytes],
    *,
    reader: RowReader,
    program_id: int,
    instrument: str,
    progress: Progress | None,
    batch_size: int,
) -> int:
    """Write every row in batches; returns how many were written."""
    imported_at = utcnow()
    connection = session.connection()
    upsert = _upsert(connection.dialect.name)
    written = 0
    batch: list[dict[str, Any]] = []
    with _records(source) as records:
        next(records)
        for row, cells in records:
            response, problems = reader.parse(row, cells)
            if response is None:  # pragma: no cover - only if the file changed between passes
                changed = [*problems, Problem(row, None, "the file changed while it was read")]
                raise ImportRefused(changed, len(changed))
            batch.append(
                {"program_id": program_id, "instrument": instrument, "imported_at": imported_at}
                | vars(response)
            )
            if len(batch) >= batch_size:
                connection.execute(upsert, batch)
                written += len(batch)
                batch.clear()
                if progress is not None:
                    progress("write", written)
    if batch:
        connection.execute(upsert, batch)
        written += len(batch)
    if progress is not None:
        progress("write", written)
    return written


def import_responses(
    *,
    session: Session,
    program_id: int,
    instrument: Instrument,
    source: IO[bytes],
    wave: str | None = None,
    ignore_extra: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    max_problems: int = MAX_PROBLEMS,
) -> ImportResult:
    """Import a seekable CSV file of responses to a registered instrument, whole or not at all.

    Without `wave`, each row joins the wave of the school year its `administered_on` falls in.
    """
    if session.get(Program, program_id) is None:
        raise NotFound("program", program_id)
    if wave is not None:
        wave = wave.strip()
        if not wave or len(wave) > MAX_WAVE_LENGTH:
            raise InvalidRequest(f"a wave label has 1 to {MAX_WAVE_LENGTH} characters")
    schools = dict(
        session.exec(select(School.code, School.id).where(School.program_id == program_id)).all()
    )
    reader, waves = _check(
        source,
        instrument=instrument,
        schools=schools,
        wave=wave,
        ignore_extra=ignore_extra,
        progress=progress,
        max_problems=max_problems,
    )

    def stored() -> int:
        return _stored(session, program_id=program_id, instrument=instrument.name, waves=[*waves])

    before = stored()
    written = _write(
        session,
        source,
        reader=reader,
        program_id=program_id,
        instrument=instrument.name,
        progress=progress,
        batch_size=batch_size,
    )
    replaced = written - (stored() - before)
    return ImportResult(instrument.name, written, replaced, dict(sorted(waves.items())))
