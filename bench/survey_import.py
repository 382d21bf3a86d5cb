"""What a survey import costs: rows per second and peak memory, at two file sizes.

    python bench/survey_import.py [--db sqlite|postgres|both] [--rows 50000 500000]

For each size, writes a systems-conditions response file (25 items, 24 schools) to a
temporary directory, then imports it into a fresh program twice: once timed (rows per
second) and once under tracemalloc (the peak of Python allocations). The import streams
and writes in batches, so the peak should not grow with the file: the last line gives
the ratio of the largest file's peak to the smallest's.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from service.organisation import add_school, create_program
from service.store.database import get_engine, unit_of_work
from service.surveys.importing import ImportResult, import_responses
from service.surveys.instruments import FIXED_COLUMNS
from service.surveys.registry import instrument_named

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import add_database_option, chosen, fresh_database, machine

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
    """Import `path` into the program in one unit of work: (the result, seconds taken)."""
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


def measure(url: str, rows: int, folder: Path) -> float:
    """Import a file of `rows` rows timed, then traced; print one line; return the peak MiB."""
    with unit_of_work(get_engine(url)) as session:
        items = instrument_named(session=session, name=INSTRUMENT).item_ids
    path = folder / f"{rows}.csv"
    write_file(path, rows, items, [f"S{k:02d}" for k in range(1, SCHOOLS + 1)])
    result, seconds = run(url, new_program(url), path)
    peak = traced_peak(url, path) / 2**20
    print(
        f"  {rows:>7} rows x {len(items)} items ({path.stat().st_size / 2**20:5.1f} MiB): "
        f"{result.rows / seconds:8,.0f} rows/s ({seconds:6.1f} s), "
        f"peak Python memory {peak:5.1f} MiB"
    )
    path.unlink()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    parser.add_argument("--rows", type=int, nargs="+", default=[50_000, 500_000])
    args = parser.parse_args()
    print(machine())
    for kind in chosen(args.db):
        print(kind)
        with fresh_database(kind) as url, tempfile.TemporaryDirectory() as folder:
            peaks = [measure(url, rows, Path(folder)) for rows in sorted(args.rows)]
        print(
            f"  peak at {max(args.rows):,} rows / at {min(args.rows):,}: {peaks[-1] / peaks[0]:.2f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (getrusage): {rss:.0f} MiB")
    print(machine())


if __name__ == "__main__":
    main()
