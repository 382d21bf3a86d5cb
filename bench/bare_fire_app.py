"""The baseline for bench/http_fire.py: one bare FastAPI sync endpoint that fires by hand.

It runs the statements a fire needs (lock, read the definition and the current
artifacts, check the gate, update state and version, append the event) written
directly with the driver (sqlite3 or psycopg), with no engine, ORM or authorisation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from typing import Any

import psycopg
from fastapi import FastAPI, HTTPException

URL = os.environ["IMPROVE_DATABASE_URL"]
FORWARD = {"start_planning": ("why", "how"), "step_back": ("how", "why")}
app = FastAPI()
_local = threading.local()


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        if URL.startswith("sqlite"):
            conn = sqlite3.connect(URL.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            conn = psycopg.connect(URL.replace("postgresql+psycopg", "postgresql"))
        _local.conn = conn
    return conn


@app.post("/bare/cycles/{cycle_id}/triggers/{trigger}")
def fire(cycle_id: int, trigger: str) -> dict[str, Any]:
    source, dest = FORWARD[trigger]
    conn = _connection()
    sqlite = isinstance(conn, sqlite3.Connection)
    mark = "?" if sqlite else "%s"
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE" if sqlite else "BEGIN")
    try:
        lock = "" if sqlite else " FOR UPDATE"
        cur.execute(
            f"SELECT state, version, iteration, definition_id FROM workflowinstance "
            f"WHERE id = {mark}{lock}",
            (cycle_id,),
        )
        state, version, iteration, definition_id = cur.fetchone()
        cur.execute(f"SELECT body FROM storeddefinition WHERE id = {mark}", (definition_id,))
        cur.fetchone()
        cur.execute(
            f"SELECT kind, item, body FROM artifactrevision WHERE instance_id = {mark} "
            f"AND iteration = {mark} ORDER BY kind, item, revision",
            (cycle_id, iteration),
        )
        docs = {kind: body for kind, _, body in cur.fetchall()}
        theory = docs.get("theory_of_action")
        if isinstance(theory, str):
            theory = json.loads(theory)
        if state != source or not theory:
            raise HTTPException(409, "refused")
        cur.execute(
            f"UPDATE workflowinstance SET state = {mark}, version = {mark}, entered_at = {mark} "
            f"WHERE id = {mark} AND version = {mark}",
            (dest, version + 1, dt.datetime.now(dt.UTC), cycle_id, version),
        )
        cur.execute(
            f"SELECT coalesce(max(seq), 0) FROM historyevent WHERE instance_id = {mark}",
            (cycle_id,),
        )
        (seq,) = cur.fetchone()
        cur.execute(
            f"INSERT INTO historyevent (instance_id, seq, at, trigger, from_state, to_state, "
            f"iteration, reason, details) VALUES ({', '.join([mark] * 9)})",
            (
                cycle_id,
                seq + 1,
                dt.datetime.now(dt.UTC),
                trigger,
                source,
                dest,
                iteration,
                "bench",
                "{}",
            ),
        )
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return {"state": dest, "version": version + 1}
