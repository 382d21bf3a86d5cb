"""What a survey import costs: rows per second and peak memory for a large response file.

    python bench/survey_import.py [--rows N] [--database-url URL]

Writes a systems-conditions response file of N rows (default 50,000; 25 items, 24 schools) to a
temporary directory, then imports it into a fresh program three times: once timed, once under
tracemalloc for the peak of Python allocations, and once more timed as a re-import (every row
replaces one already stored). The tracemalloc peak of a file a tenth the size is printed beside
it: the import streams, so the two should be close. Without --database-url, a new SQLite file is
used.

Measured (2-core x86_64, Python 3.11.7, 2026-11-24), 50,000 rows:
    SQLite:          27,212 rows/s (re-import 28,050), tracemalloc peak 2.1 MiB (2.0 for 5,000)
    PostgreSQL 15:    9,680 rows/s (re-import 10,970), tracemalloc peak 2.0 MiB
    process peak RSS 77-83 MiB, most of it the imported libraries
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from service.organisation import add_school, create_program
from service.store.database import get_engine, unit_of_work
from service.store.migrate import upgrade
from service.surveys.importing import ImportResult, import_responses
from service.surveys.instruments import FIXED_COLUMNS, Instrument
from service.surveys.registry import instrument_named

SCHOOLS = 24
INSTRUMENT = "systems-conditions"


def write_file(path: Path, rows: int, items: list[str], codes: list[str]) -> None:
    """A response file of `rows` respondents, written row by row."""
    rng = random.Random(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*FIXED_COLUMNS, *items])
        for n in range(rows):
            day = dt.date(2025, 9, 1) + dt.timedelta(days=n % 60)
            answers = [rng.choice("12345") if rng.random() > 0.05 else "" for _ in items]
            writer.writerow([codes[n % len(codes)], day, f"resp-{n:06d}", "teacher", *answers])


def new_program(url: str) -> int:
    with unit_of_work(get_engine(url)) as session:
        program = create_program(session=session, name=f"Bench {uuid.uuid4().hex[:6]}")
        for k in range(1, SCHOOLS + 1):
            add_school(session=session, program_id=program.id or 0, name=f"S{k}", code=f"S{k:02d}")
        return program.id or 0


def run(url: str, program_id: int, path: Path) -> tuple[ImportResult, float]:
    start = time.perf_counter()
    with unit_of_work(get_engine(url)) as session, path.open("rb") as source:
        result = import_responses(
            session=session,
            program_id=program_id,
            instrument=instrument_named(session=session, name=INSTRUMENT),
            source=source,
        )
    return result, time.perf_counter() - start


def traced_peak(url: str, path: Path) -> int:
    """Peak bytes allocated by Python while a new program imports `path`."""
    program_id = new_program(url)
    tracemalloc.start()
    run(url, program_id, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        program_id = new_program(url)
        with unit_of_work(get_engine(url)) as session:
            instrument: Instrument = instrument_named(session=session, name=INSTRUMENT)
        codes = [f"S{k:02d}" for k in range(1, SCHOOLS + 1)]
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        write_file(big, args.rows, instrument.item_ids, codes)
        write_file(small, args.rows // 10, instrument.item_ids, codes)

        result, seconds = run(url, program_id, big)
        again, again_seconds = run(url, program_id, big)
        peak_big, peak_small = traced_peak(url, big), traced_peak(url, small)
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        size = big.stat().st_size
    print(f"{platform.machine()}, Python {platform.python_version()}, {url.split(':')[0]}")
    print(f"file: {args.rows} rows x {len(instrument.item_ids)} items, {size / 2**20:.1f} MiB")
    print(f"import:    {result.rows} rows in {seconds:.2f} s = {result.rows / seconds:,.0f} rows/s")
    print(
        f"re-import: {again.rows} rows ({again.replaced} replaced) in {again_seconds:.2f} s "
        f"= {again.rows / again_seconds:,.0f} rows/s"
    )
    print(
        f"peak Python memory (tracemalloc): {peak_big / 2**20:.1f} MiB for {args.rows} rows, "
        f"{peak_small / 2**20:.1f} MiB for {args.rows // 10}"
    )
    print(f"process peak RSS (getrusage): {max_rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
