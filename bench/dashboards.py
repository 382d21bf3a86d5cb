"""The coach caseload and the program dashboard at scale, against the raw SQL they need.

    python bench/dashboards.py [--db sqlite|postgres|both] [--teams 1000 10000 100000]
                               [--runs 3] [--requests 20] [--view caseload|dashboard|both]

For each size, generates (with bulk Core inserts) a program of that many teams,
all coached by one person, each with a cycle in a spread of states, a realistic
history (start plus one event per step taken), a theory of action saved 0 to 44
days ago (so some teams have gone quiet), an action
timeline once past planning (some of its actions overdue) and, for two teams in
three, check-ins. Then, for each view as the service computes it (the caseload:
its first page, worst first, with the counts the page shows): the median and p95
time of `--runs` calls beside the same SELECTs replayed on the driver (the
baseline, run in turn with it), the statements one call issues, and the peak
memory one call allocates (tracemalloc).

Then the same over HTTP through the real app in process (bench/signed_in.py):
`GET /api/coach/caseload` and the page `/coach/caseload` as the coach,
`GET /api/programs/{id}/dashboard` and the page `/programs/{id}/dashboard` as the
program's admin, each as a client asks for it by default, `--requests` times,
each beside the SELECTs that very request issued (the caller's read included)
replayed on the driver in turn with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, insert

from service.caseload import caseload_page, coach_teams
from service.catalog import get_catalog, pin
from service.organisation import add_program_admin, add_school, create_person, create_program
from service.program_dashboard import program_dashboard
from service.security import hash_password
from service.settings import get_settings
from service.store.database import get_engine, unit_of_work
from service.store.models import (
    ArtifactRevision,
    CheckIn,
    HistoryEvent,
    Team,
    TeamMembership,
    WorkflowInstance,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import add_database_option, chosen, fresh_database, machine
from fire_fixture import PASSWORD, THEORY
from signed_in import api_client, bench_app, page_client

from service.web.pages.caseload_query import CASELOAD, PAGE_SIZE
from service.web.pages.program_dashboard_view import dashboard_path

STATES = ("why", "how", "implement", "review", "decide", "closed")
STEPS = ("start", "start_planning", "launch_test", "start_review", "conclude_review", "move_on")
CHUNK = 10_000
PLANNED = STATES.index("implement")
"""Teams this far along have an action timeline."""
READS = ("SELECT", "WITH")


@dataclass(frozen=True)
class Program:
    """A generated program: its id, and the people who sign in to look at it."""

    id: int
    coach_id: int
    coach_email: str
    admin_email: str


def _timeline(n: int, today: dt.date) -> dict[str, object]:
    """Three actions due between 25 days ago and 45 days ahead, a third of them done."""
    return {
        "items": [
            {
                "action": f"Step {k + 1}",
                "owner": "Lead",
                "due": (today + dt.timedelta(days=n % 50 - 25 + 10 * k)).isoformat(),
                "success_evidence": "Seen in the data.",
                "status": ("done", "doing", "planned")[(n + k) % 3],
            }
            for k in range(3)
        ]
    }


def generate(db: Engine, teams: int) -> Program:
    """A program with `teams` teams coached by one person and run by another (PASSWORD)."""
    now = dt.datetime.now(dt.UTC)
    password_hash = hash_password(PASSWORD)
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"Bench {teams}")
        school = add_school(
            session=session, program_id=program.id, name="S", code=uuid.uuid4().hex[:8]
        )
        coach, admin = (
            create_person(
                session=session,
                email=f"{uuid.uuid4().hex}@b.org",
                name=name,
                password_hash=password_hash,
            )
            for name in ("Coach", "Admin")
        )
        add_program_admin(session=session, program_id=program.id, person_id=admin.id)
        stored = {
            slug: pin(session, get_catalog().definition(slug))
            for slug in get_catalog().content.condition_slugs
        }
        slugs = list(stored)
        for start in range(0, teams, CHUNK):
            size = min(CHUNK, teams - start)
            team_ids = (
                session.execute(
                    insert(Team).returning(Team.id),
                    [
                        {"school_id": school.id, "name": f"T{start + n}", "created_at": now}
                        for n in range(size)
                    ],
                )
                .scalars()
                .all()
            )
            session.execute(
                insert(TeamMembership),
                [
                    {"team_id": t, "person_id": coach.id, "role": "coach", "created_at": now}
                    for t in team_ids
                ],
            )
            rows = []
            for n, team_id in enumerate(team_ids):
                slug = slugs[n % len(slugs)]
                state = STATES[n % len(STATES)]
                rows.append(
                    {
                        "definition_id": stored[slug].id,
                        "kind": "cycle",
                        "workflow": slug,
                        "team_id": team_id,
                        "condition": slug,
                        "state": state,
                        "iteration": 1,
                        "version": 1,
                        "entered_at": now - dt.timedelta(days=n % 40),
                        "created_at": now - dt.timedelta(days=90),
                    }
                )
            cycle_ids = (
                session.execute(insert(WorkflowInstance).returning(WorkflowInstance.id), rows)
                .scalars()
                .all()
            )
            events, docs = [], []
            for n, cycle_id in enumerate(cycle_ids):
                taken = n % len(STATES)
                for seq in range(taken + 1):
                    events.append(
                        {
                            "instance_id": cycle_id,
                            "seq": seq + 1,
                            "at": now - dt.timedelta(days=90 - 10 * seq + n % 30),
                            "trigger": STEPS[seq],
                            "from_state": STATES[seq - 1] if seq else None,
                            "to_state": STATES[seq],
                            "iteration": 1,
                            "details": {},
                        }
                    )
                docs.append(
                    {
                        "instance_id": cycle_id,
                        "iteration": 1,
                        "kind": "theory_of_action",
                        "item": 1,
                        "revision": 1,
                        "body": THEORY,
                        "created_at": now - dt.timedelta(days=n % 45),
                    }
                )
                if taken >= PLANNED:
                    docs.append(
                        {
                            **docs[-1],
                            "kind": "action_timeline",
                            "body": _timeline(n, now.date()),
                            "created_at": now - dt.timedelta(days=n % 30),
                        }
                    )
            checkins = [
                {
                    "team_id": team_id,
                    "author_id": coach.id,
                    "held_on": now.date() - dt.timedelta(days=n % 60),
                    "mode": "virtual",
                    "notes": "",
                    "next_steps": "",
                    "attendees": [],
                    "created_at": now,
                }
                for n, team_id in enumerate(team_ids)
                if n % 3
            ]
            session.execute(insert(HistoryEvent), events)
            session.execute(insert(ArtifactRevision), docs)
            session.execute(insert(CheckIn), checkins)
        return Program(program.id, coach.id, coach.email, admin.email)


def _statements(db: Engine, fn: Callable[[], object]) -> tuple[list[tuple[str, object]], int]:
    """The statements one call issues, with their parameters, and the transactions it opens.

    SQLite's BEGIN is a statement of ours (service.store.database), PostgreSQL's the driver's
    and unseen: BEGIN is counted as a transaction on both, never as a statement.
    """
    issued: list[tuple[str, object]] = []
    transactions = 0

    def capture(*args: object) -> None:
        if not str(args[2]).lstrip().upper().startswith("BEGIN"):
            issued.append((str(args[2]), args[3]))

    def begin(_conn: object) -> None:
        nonlocal transactions
        transactions += 1

    event.listen(db, "before_cursor_execute", capture)
    event.listen(db, "begin", begin)
    try:
        fn()
    finally:
        event.remove(db, "before_cursor_execute", capture)
        event.remove(db, "begin", begin)
    return issued, transactions


def _peak_mib(fn: Callable[[], object]) -> float:
    """The most memory one call has allocated at once, in MiB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def compare(db: Engine, name: str, view: Callable[[], object], runs: int) -> None:
    """Time the view against its own SELECTs on the driver, taking turns; print one line."""
    view()  # warm caches, as a running server has
    issued, transactions = _statements(db, view)
    reads = [(sql, params) for sql, params in issued if sql.lstrip().upper().startswith(READS)]

    def raw() -> None:
        with db.connect() as conn:
            for sql, params in reads:
                conn.exec_driver_sql(sql, params).fetchall()  # type: ignore[arg-type]

    view_ms, raw_ms = [], []
    for _ in range(runs):
        view_ms.append(_ms(view))
        raw_ms.append(_ms(raw))
    service, bare = statistics.median(view_ms), statistics.median(raw_ms)
    opened = "1 transaction" if transactions == 1 else f"{transactions} transactions"
    print(
        f"  {name:34} {service:7.1f} ms (p95 {_p95(view_ms):7.1f})  "
        f"raw SQL {bare:7.1f} ms (p95 {_p95(raw_ms):7.1f})  ratio {service / bare:5.2f}  "
        f"{len(issued):2} statements in {opened} ({len(reads)} replayed)  "
        f"peak {_peak_mib(view):5.1f} MiB"
    )


def fetch(client: TestClient, path: str) -> Callable[[], object]:
    """One GET of `path`, refused unless it answers 200."""
    return lambda: client.get(path).raise_for_status()


def over_http(db: Engine, app: FastAPI, email: str, api: str, page: str, requests: int) -> None:
    """Time the API path with `email`'s bearer token, then the page with their cookie."""
    # Entered, a client keeps one event loop for all its requests, as a running server does;
    # otherwise it would start a thread and a loop for each one and time that too.
    with api_client(app, email, PASSWORD) as client:
        compare(db, f"GET {api}", fetch(client, api), requests)
    with page_client(app, email, PASSWORD) as client:
        compare(db, f"GET {page} (page)", fetch(client, page), requests)


def measure(url: str, teams: int, today: dt.date, args: argparse.Namespace) -> None:
    """Generate `teams` teams, then time both views against their raw SQL, then over HTTP."""
    db = get_engine(url)
    start = time.perf_counter()
    program = generate(db, teams)
    if db.dialect.name == "postgresql":  # plan with statistics, as a live database has them
        with db.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    print(f"{teams:>7} teams (generated in {time.perf_counter() - start:.0f} s)")

    def run_caseload() -> object:
        with unit_of_work(db, write=False) as session:
            return caseload_page(
                session=session,
                team_ids=coach_teams(program.coach_id),
                today=today,
                limit=PAGE_SIZE,
            )

    def run_dashboard() -> object:
        with unit_of_work(db, write=False) as session:
            return program_dashboard(session=session, program_id=program.id, today=today)

    app = bench_app(url)
    if get_engine(get_settings().database_url) is not db:
        raise RuntimeError("the app serves another engine than the one measured")
    if args.view in ("caseload", "both"):
        compare(db, "caseload (service)", run_caseload, args.runs)
        over_http(db, app, program.coach_email, "/api/coach/caseload", CASELOAD, args.requests)
    if args.view in ("dashboard", "both"):
        compare(db, "program dashboard (service)", run_dashboard, args.runs)
        path = dashboard_path(program.id)
        over_http(db, app, program.admin_email, f"/api{path}", path, args.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    parser.add_argument("--teams", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="calls of each service function")
    parser.add_argument("--requests", type=int, default=20, help="requests of each HTTP view")
    parser.add_argument("--view", choices=("caseload", "dashboard", "both"), default="both")
    args = parser.parse_args()
    print(machine())
    today = dt.date.today()
    for kind in chosen(args.db):
        print(kind)
        with fresh_database(kind) as url:
            for teams in args.teams:
                measure(url, teams, today, args)
    print(machine())


if __name__ == "__main__":
    main()
