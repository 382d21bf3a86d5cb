"""The statements one fire over HTTP costs: the real endpoint's against the bare app's.

    python bench/fire_statements.py [--db sqlite|postgres|both]

Sends a real request through the whole app (authentication, authorisation, the
fire, the response) and records every statement and transaction boundary the
database sees, then does the same for bench/bare_fire_app.py, and prints the two
side by side. bench/http_fire.py runs this check first and will not measure a
baseline that does different work.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import zip_longest
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from service.settings import get_settings
from service.store.database import get_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import add_database_option, chosen, fresh_database
from fire_fixture import ROUND_TRIP, FireFixture, seed_cycles

BENCH_SECRET = "bench-only-secret-key-not-for-use"
_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def app_environment(url: str) -> dict[str, str]:
    """What the service needs in its environment to serve `url` (also for uvicorn)."""
    return {"IMPROVE_DATABASE_URL": url, "IMPROVE_SECRET_KEY": BENCH_SECRET}


def signature(sql: str) -> str:
    """What a statement does, independent of how it is spelled: verb, tables, row lock."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
        return verb
    body, lock, _ = sql.upper().partition(" FOR UPDATE")
    tables = " ".join(sorted(set(_TABLE.findall(body.lower()))))
    return f"{verb} {tables}{lock}"


@contextmanager
def _recording(url: str) -> Iterator[list[str]]:
    """Every statement the service's engine runs, with BEGIN and COMMIT as the engine sees them."""
    seen: list[str] = []
    engine = get_engine(url)

    def statement(_conn, _cursor, sql, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN is ours; see begin
            seen.append(sql)

    listeners = {
        "before_cursor_execute": statement,
        "begin": lambda _conn: seen.append("BEGIN"),
        "commit": lambda _conn: seen.append("COMMIT"),
        "rollback": lambda _conn: seen.append("ROLLBACK"),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)


def service_statements(url: str, fixture: FireFixture, cycle_id: int) -> list[list[str]]:
    """The statements of a round trip (one list per request) through the real endpoint."""
    os.environ.update(app_environment(url))
    get_settings.cache_clear()
    from service.web.app import create_app

    client = TestClient(create_app())
    headers = {"Authorization": f"Bearer {fixture.token}"}
    requests = []
    for trigger, _, _ in ROUND_TRIP:
        with _recording(url) as seen:
            answer = client.post(
                f"/api/cycles/{cycle_id}/triggers/{trigger}", json={"reason": "b"}, headers=headers
            )
        answer.raise_for_status()
        requests.append(seen)
    return requests


def bare_statements(url: str, fixture: FireFixture, cycle_id: int) -> list[list[str]]:
    """The statements of the same round trip through bench/bare_fire_app.py."""
    os.environ.update(app_environment(url))
    import bare_fire_app

    bare = importlib.reload(bare_fire_app)  # a fresh module reads this run's URL
    client = TestClient(bare.app)
    headers = {"Authorization": f"Bearer {fixture.token}"}
    requests = []
    for trigger, _, _ in ROUND_TRIP:
        bare.TRACE = []
        answer = client.post(
            f"/bare/cycles/{cycle_id}/triggers/{trigger}", json={"reason": "b"}, headers=headers
        )
        answer.raise_for_status()
        requests.append(bare.TRACE)
    bare.TRACE = None
    return requests


def side_by_side(service: list[str], bare: list[str]) -> tuple[str, bool]:
    """The two lists of statements as a table, and whether they do the same work."""
    same = [signature(s) for s in service] == [signature(b) for b in bare]
    lines = [f"{'service':<48}  bare"]
    for ours, theirs in zip_longest(service, bare, fillvalue=""):
        left, right = (signature(s) if s else "-" for s in (ours, theirs))
        lines.append(f"{left:<48}{' ' if left == right else '!'} {right}")
    return "\n".join(lines), same


def check_same_statements(url: str, fixture: FireFixture, cycle_id: int) -> str:
    """Both endpoints' statements for one round trip; SystemExit if the work differs."""
    tables = []
    for ours, theirs in zip(
        service_statements(url, fixture, cycle_id),
        bare_statements(url, fixture, cycle_id),
        strict=True,
    ):
        table, same = side_by_side(ours, theirs)
        if not same:
            raise SystemExit(f"the bare app does not run the service's statements:\n{table}")
        tables.append(table)
    return tables[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    args = parser.parse_args()
    for kind in chosen(args.db):
        with fresh_database(kind) as url:
            fixture = seed_cycles(url, 1)
            print(f"{kind}: one start_planning, statements in order")
            print(check_same_statements(url, fixture, fixture.cycle_ids[0]))


if __name__ == "__main__":
    main()
