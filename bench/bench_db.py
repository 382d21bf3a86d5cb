"""Fresh, migrated databases for the benchmarks: one per run, removed when the run ends.

`--db sqlite` uses a temporary file; `--db postgres` creates a database on the
server named by IMPROVE_BENCH_POSTGRES_URL (default: the local test server)
and drops it afterwards; `--db both` (the default) runs the bench on each.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from service.store.database import get_engine
from service.store.migrate import upgrade

POSTGRES_SERVER = os.environ.get(
    "IMPROVE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
KINDS = ("sqlite", "postgres")


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        choices=(*KINDS, "both"),
        default="both",
        help="which database to measure on (default: both, one after the other)",
    )


def chosen(option: str) -> tuple[str, ...]:
    return KINDS if option == "both" else (option,)


def libpq(url: str) -> str:
    """The URL as psycopg itself takes it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of a new, migrated database of this kind, removed when the block ends."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="improve-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            yield url
            get_engine(url).dispose()
        return
    name = f"improve_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq(POSTGRES_SERVER), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            yield url
        finally:
            get_engine(url).dispose()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def machine() -> str:
    """The machine and its load right now, printed above every run's figures."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cores = os.cpu_count()
    return (
        f"machine: {platform.machine()}, {cores} cores, python {platform.python_version()}, "
        f"load average {load}"
    )
