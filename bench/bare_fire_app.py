"""The baseline for bench/http_fire.py: a bare FastAPI sync endpoint that fires by hand.

It issues, in the same transactions and order, the statements the real
`POST /api/cycles/{id}/triggers/{trigger}` issues (bench/fire_statements.py
captures both and refuses to measure if they differ), written directly with the
driver (sqlite3 or psycopg): no ORM, no engine, no response model. Its one gate
is `start_planning`'s (a theory of action exists); `step_back` needs a reason.
Like the service, SQLite writers queue on a process lock before BEGIN IMMEDIATE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import psycopg
from fastapi import Body, FastAPI, Header, HTTPException

URL = os.environ["IMPROVE_DATABASE_URL"]
SQLITE = URL.startswith("sqlite")
MOVES = {"start_planning": ("why", "how"), "step_back": ("how", "why")}
TRACE: list[str] | None = None
"""Set to a list to record every statement run (bench/fire_statements.py compares them)."""

TOKEN_OWNER = (
    "SELECT person.id, person.name, person.email, person.is_site_admin "
    "FROM person JOIN accesstoken ON accesstoken.person_id = person.id "
    "WHERE accesstoken.token_hash = ? AND accesstoken.kind = ? "
    "AND accesstoken.revoked_at IS NULL AND accesstoken.expires_at > ?"
)
ROLES = (
    "SELECT teammembership.role, teammembership.team_id, school.id, school.program_id "
    "FROM teammembership JOIN team ON team.id = teammembership.team_id "
    "JOIN school ON school.id = team.school_id WHERE teammembership.person_id = ? "
    "UNION ALL SELECT 'admin', NULL, NULL, programadmin.program_id FROM programadmin "
    "WHERE programadmin.person_id = ?"
)
SCOPE = (
    "SELECT workflowinstance.team_id, school.id, school.program_id FROM workflowinstance "
    "LEFT OUTER JOIN team ON team.id = workflowinstance.team_id "
    "JOIN school ON school.id = coalesce(team.school_id, workflowinstance.school_id) "
    "WHERE workflowinstance.id = ?"
)
LOCK = (
    "SELECT workflowinstance.state, workflowinstance.version, workflowinstance.iteration, "
    "storeddefinition.digest FROM workflowinstance "
    "JOIN storeddefinition ON storeddefinition.id = workflowinstance.definition_id "
    "WHERE workflowinstance.id = ?"
)
ARTIFACTS = (
    "SELECT kind, item, revision, body FROM artifactrevision "
    "WHERE instance_id = ? AND iteration = ? ORDER BY kind, item, revision"
)
SIGNOFF_TRIGGERS = (
    "SELECT program.signoff_triggers FROM program JOIN school ON school.program_id = program.id "
    "JOIN team ON team.school_id = school.id WHERE team.id = ?"
)
UPDATE = (
    "UPDATE workflowinstance SET state = ?, iteration = ?, launched_on = ?, version = ?, "
    "entered_at = ? WHERE id = ? AND version = ?"
)
APPEND = (
    "INSERT INTO historyevent (instance_id, seq, at, actor_id, trigger, from_state, to_state, "
    "iteration, reason, details) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM historyevent "
    "WHERE instance_id = ?), ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, seq"
)

app = FastAPI()
_local = threading.local()
_writer = threading.Lock()


class _Cursor:
    """The driver's cursor with one placeholder style, recording statements when tracing."""

    def __init__(self, conn: Any) -> None:
        self._cursor = conn.cursor()

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> _Cursor:
        if TRACE is not None:
            TRACE.append(sql)
        self._cursor.execute(sql if SQLITE else sql.replace("?", "%s"), params)
        return self

    def one(self) -> Any:
        return self._cursor.fetchone()

    def all(self) -> list[Any]:
        return self._cursor.fetchall()


def _connection() -> Any:
    """One connection per worker thread, opened on its first request (a pool of sorts)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        if SQLITE:
            conn = sqlite3.connect(URL.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
                conn.execute(f"PRAGMA {pragma}")
            conn.execute("PRAGMA busy_timeout=30000")
        else:
            conn = psycopg.connect(URL.replace("postgresql+psycopg", "postgresql"))
        _local.conn = conn
    return conn


@contextmanager
def _transaction(*, write: bool) -> Iterator[_Cursor]:
    conn = _connection()
    locked = SQLITE and write
    if locked:
        _writer.acquire()
    cur = _Cursor(conn)
    try:
        cur.run(("BEGIN IMMEDIATE" if write else "BEGIN") if SQLITE else "BEGIN")
        try:
            yield cur
        except BaseException:
            cur.run("ROLLBACK")
            raise
        cur.run("COMMIT")
    finally:
        if locked:
            _writer.release()


def _now() -> Any:
    """The time as SQLAlchemy binds it: naive UTC text on SQLite, aware on PostgreSQL."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if SQLITE else now


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _authorised(authorization: str, cycle_id: int) -> tuple[int, int]:
    """The token's owner and the cycle's team, read together; 401 or 404 as the service."""
    digest = hashlib.sha256(authorization.removeprefix("Bearer ").encode()).hexdigest()
    with _transaction(write=False) as cur:
        person = cur.run(TOKEN_OWNER, (digest, "api", _now())).one()
        if person is None:
            raise HTTPException(401, "sign in again")
        roles = cur.run(ROLES, (person[0], person[0])).all()
        scope = cur.run(SCOPE, (cycle_id,)).one()
    teams = {team for role, team, _, _ in roles if role == "member"}
    if scope is None or scope[0] not in teams:
        raise HTTPException(404, "no such cycle")
    return person[0], scope[0]


@app.post("/bare/cycles/{cycle_id}/triggers/{trigger}")
def fire(
    cycle_id: int,
    trigger: str,
    authorization: Annotated[str, Header()],
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    person_id, team_id = _authorised(authorization, cycle_id)
    source, dest = MOVES[trigger]
    reason = (body or {}).get("reason")
    with _transaction(write=True) as cur:
        lock = LOCK if SQLITE else f"{LOCK} FOR UPDATE OF workflowinstance"
        state, version, iteration, _digest = cur.run(lock, (cycle_id,)).one()
        rows = cur.run(ARTIFACTS, (cycle_id, iteration)).all()
        docs = {kind: _json(doc) for kind, _, _, doc in rows}
        cur.run(SIGNOFF_TRIGGERS, (team_id,)).one()
        if state != source or not docs.get("theory_of_action") or not reason:
            raise HTTPException(409, "refused")
        now = _now()
        cur.run(UPDATE, (dest, iteration, None, version + 1, now, cycle_id, version))
        event = (cycle_id, cycle_id, now, person_id, trigger, source, dest, iteration, reason, "{}")
        _, seq = cur.run(APPEND, event).one()
    return {"state": dest, "version": version + 1, "seq": seq}
