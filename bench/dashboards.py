"""The coach caseload and the program dashboard at scale, against the raw SQL they need.

    python bench/dashboards.py [--database-url URL] [--teams 1000 10000]

For each size, generates a program with that many teams (one coach for all of
them), each with a cycle in a spread of states, a realistic history (start plus
one event per step taken) and a theory of action; then times, over five runs,
the caseload and the program dashboard as the service computes them, counts
their SQL statements, and times the same raw SELECTs without the service around
them (the baseline). Prints ms per call, statements per call and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, event, insert

from service.caseload import caseload, coach_teams
from service.catalog import get_catalog, pin
from service.organisation import add_school, create_person, create_program
from service.program_dashboard import program_dashboard
from service.store.database import get_engine, unit_of_work
from service.store.migrate import upgrade
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    Team,
    TeamMembership,
    WorkflowInstance,
)

STATES = ("why", "how", "implement", "review", "decide", "closed")
STEPS = ("start", "start_planning", "launch_test", "start_review", "conclude_review", "move_on")
THEORY = {
    "goal": "g",
    "problem_of_practice": "p",
    "staff_evidence": "e",
    "barrier": "b",
    "approach": "a",
    "statement": "If we do this, then that happens.",
}


def generate(db: Engine, teams: int) -> tuple[int, int]:
    """A program with `teams` teams coached by one person: (program id, coach id)."""
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"Bench {teams}")
        school = add_school(
            session=session, program_id=program.id, name="S", code=uuid.uuid4().hex[:8]
        )
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@b.org", name="Coach")
        stored = {
            slug: pin(session, get_catalog().definition(slug))
            for slug in get_catalog().content.condition_slugs
        }
        slugs = list(stored)
        for start in range(0, teams, 5000):
            size = min(5000, teams - start)
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
                        "created_at": now,
                    }
                )
            session.execute(insert(HistoryEvent), events)
            session.execute(insert(ArtifactRevision), docs)
        return program.id, coach.id


def timed(db: Engine, fn: Callable[[], object]) -> tuple[float, int]:
    """Median ms over five runs, and the statements one run issues."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    fn()  # warm caches, as a running server has
    times = []
    for _ in range(5):
        statements.clear()
        event.listen(db, "before_cursor_execute", count)
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        event.remove(db, "before_cursor_execute", count)
    return statistics.median(times), len(statements)


def measure(db: Engine, teams: int, today: dt.date) -> None:
    """Generate `teams` teams, then time both views and their raw SQL."""
    program_id, coach_id = generate(db, teams)

    def run_caseload() -> object:
        with unit_of_work(db, write=False) as session:
            return caseload(session=session, team_ids=coach_teams(coach_id), today=today)

    def run_dashboard() -> object:
        with unit_of_work(db, write=False) as session:
            return program_dashboard(session=session, program_id=program_id, today=today)

    # The baseline: the very SELECTs the two views issue, replayed on the driver.
    issued: list[tuple[str, object]] = []

    def capture(*a: object) -> None:
        issued.append((str(a[2]), a[3]))

    event.listen(db, "before_cursor_execute", capture)
    run_caseload()
    run_dashboard()
    event.remove(db, "before_cursor_execute", capture)
    reads = [(sql, p) for sql, p in issued if sql.lstrip().upper().startswith(("SELECT", "WITH"))]

    def run_raw() -> object:
        with db.connect() as conn:
            for sql, params in reads:
                conn.exec_driver_sql(sql, params).fetchall()  # type: ignore[arg-type]
        return None

    case_ms, case_n = timed(db, run_caseload)
    dash_ms, dash_n = timed(db, run_dashboard)
    raw_ms, _ = timed(db, run_raw)
    print(
        f"{teams:>6} teams: caseload {case_ms:7.1f} ms ({case_n} statements), "
        f"program dashboard {dash_ms:7.1f} ms ({dash_n} statements), "
        f"raw SQL of both {raw_ms:7.1f} ms, ratio {(case_ms + dash_ms) / raw_ms:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--teams", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/dash.db"
    upgrade(url)
    db = get_engine(url)
    today = dt.date.today()
    print(f"database: {url.split(':')[0]}")
    for teams in args.teams:
        measure(db, teams, today)


if __name__ == "__main__":
    main()
