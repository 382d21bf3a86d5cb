"""`improve serve` stops gracefully: a request in flight at SIGTERM still gets its answer.

The request in flight is a real sign-in held up by a real lock: the test locks the token table
on PostgreSQL, where `pg_stat_activity` shows exactly when the server's insert is waiting on
it, so SIGTERM is sent while the request is provably under way (no sleeps to guess at).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from service.organisation import create_person
from service.security import hash_password
from service.store.database import get_engine, unit_of_work

PASSWORD = "a long enough password"
WAIT_SECONDS = 30
# The `improve` installed beside the Python running the tests (the virtualenv's).
IMPROVE = str(Path(sys.executable).parent / "improve")


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=2) as response:
        return int(response.status)


def _until(condition: Callable[[], bool], what: str, server: Server) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {WAIT_SECONDS}s:\n{server.log.read_text()}")


def _answers(server: Server) -> bool:
    assert server.process.poll() is None, server.log.read_text()
    try:
        return _get(f"{server.base_url}/healthz") == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _answers_new_connections(server: Server) -> bool:
    try:
        _get(f"{server.base_url}/healthz")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return True


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    """`improve serve` on its own port, on the migrated PostgreSQL test database."""
    port = _free_port()
    env = {
        **os.environ,
        "IMPROVE_DATABASE_URL": postgres_url,
        "IMPROVE_SECRET_KEY": secrets.token_urlsafe(32),
    }
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [IMPROVE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        _until(lambda: _answers(running), "the server answering /healthz", running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _sign_in(base_url: str, email: str) -> tuple[int, dict[str, object]]:
    body = urllib.parse.urlencode({"username": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base_url}/api/auth/token", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
        return int(response.status), json.loads(response.read())


def _waiting_on_a_lock(database: psycopg.Connection, name: str) -> bool:
    row = database.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = %s AND wait_event_type = 'Lock' "
        "AND query ILIKE 'INSERT INTO accesstoken%%'",
        (name,),
    ).fetchone()
    return bool(row and row[0])


@pytest.mark.postgres
def test_a_request_in_flight_at_sigterm_is_answered_before_the_server_exits_0(
    server: Server, postgres_url: str
) -> None:
    email = f"{uuid.uuid4().hex[:12]}@school.example"
    with unit_of_work(get_engine(postgres_url)) as session:
        create_person(
            session=session, email=email, name="Ana Reyes", password_hash=hash_password(PASSWORD)
        )
    name = make_url(postgres_url).database or ""
    with (
        psycopg.connect(_libpq(postgres_url)) as holder,
        psycopg.connect(_libpq(postgres_url), autocommit=True) as watcher,
        ThreadPoolExecutor(1) as pool,
    ):
        # Reads go on; the sign-in's INSERT of its new token waits for this lock.
        holder.execute("LOCK TABLE accesstoken IN SHARE MODE")
        in_flight: Future[tuple[int, dict[str, object]]] = pool.submit(
            _sign_in, server.base_url, email
        )
        _until(lambda: _waiting_on_a_lock(watcher, name), "the sign-in waiting", server)

        server.process.send_signal(signal.SIGTERM)
        _until(lambda: not _answers_new_connections(server), "refusing new requests", server)
        assert server.process.poll() is None, "the server exited with a request in flight"
        holder.rollback()

        status, body = in_flight.result(timeout=WAIT_SECONDS)
    assert status == 200
    assert body["token_type"] == "bearer"
    assert server.process.wait(timeout=WAIT_SECONDS) == 0, server.log.read_text()
