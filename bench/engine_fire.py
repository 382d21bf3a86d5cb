"""What one trigger costs: in the engine alone, and fired through the database.

    python bench/engine_fire.py [--db sqlite|postgres|both] [--rounds N]

Prints, for the engine: the `transitions` call alone and a full `Workflow.fire`
(gates, effects, event). For each database: `fire_trigger` through the service
layer against a bare baseline that issues the same statements (lock with the
pinned digest, the iteration's documents, the program's sign-off triggers, the
versioned update, the numbered event) with SQLAlchemy Core in one transaction,
interleaved in batches, and the ratio of their rates; it refuses to measure if
the two send different statements. Each round fires `start_planning`
(why -> how) and then `step_back` (how -> why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, event, func, insert, select, update

from engine.facts import Facts
from engine.workflow import InstanceState, _Holder
from service.catalog import get_catalog
from service.instances import fire_trigger
from service.store.database import get_engine, unit_of_work, writing
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    Program,
    School,
    StoredDefinition,
    Team,
    WorkflowInstance,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import add_database_option, chosen, fresh_database, machine
from fire_fixture import ROUND_TRIP, THEORY, seed_cycles


def per_call(fn: Callable[[], object], n: int) -> float:
    """Median seconds per call over seven batches of n."""
    return interleaved({"fn": fn}, n)["fn"][0]


def interleaved(
    fns: dict[str, Callable[[], object]], n: int, batches: int = 7
) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds per call of each function, their batches of n taking turns.

    The CPU time is this process's alone: on a busy machine it still measures our own
    work, where the wall time also counts waiting for a core (and for PostgreSQL).
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(batches):
        for name, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                fn()
            times[name].append(((time.perf_counter() - wall) / n, (time.process_time() - cpu) / n))
    return {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }


def bench_engine() -> None:
    workflow = get_catalog().current_workflow("vision-and-strategy")
    facts = Facts(today=dt.date(2026, 3, 2), artifacts={"theory_of_action": THEORY})
    why = InstanceState("why")
    event = workflow._machine.events["start_planning"]
    # What a fire hands the machine: each gate's verdict, judged once beforehand.
    verdicts = {gate: None for t in workflow.definition.transitions for gate in t.gates}

    def transitions_only() -> None:
        event.trigger(_Holder("why"), verdicts=verdicts, override=False)

    machine_s = per_call(transitions_only, 20_000)
    fire_s = per_call(lambda: workflow.fire("start_planning", why, facts), 20_000)
    print(f"engine: transitions call {machine_s * 1e6:.1f} us; Workflow.fire {fire_s * 1e6:.1f} us")


def _bare_statements() -> tuple[Any, ...]:
    """The fire's statements in SQLAlchemy Core, built once as the service builds its own."""
    cycle = bindparam("cycle_id")
    lock = (
        select(
            WorkflowInstance.state,
            WorkflowInstance.version,
            WorkflowInstance.iteration,
            WorkflowInstance.team_id,
            StoredDefinition.digest,
        )
        .join(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .where(WorkflowInstance.id == cycle)
        .with_for_update(of=WorkflowInstance)
    )
    documents = (
        select(
            ArtifactRevision.kind,
            ArtifactRevision.item,
            ArtifactRevision.revision,
            ArtifactRevision.body,
        )
        .where(
            ArtifactRevision.instance_id == cycle,
            ArtifactRevision.iteration == bindparam("iteration"),
        )
        .order_by(ArtifactRevision.kind, ArtifactRevision.item, ArtifactRevision.revision)
    )
    signoffs = (
        select(Program.signoff_triggers)
        .join(School, School.program_id == Program.id)
        .join(Team, Team.school_id == School.id)
        .where(Team.id == bindparam("team_id"))
    )
    move = (
        update(WorkflowInstance)
        .where(WorkflowInstance.id == cycle, WorkflowInstance.version == bindparam("seen"))
        .values(
            version=bindparam("next_version"),
            state=bindparam("dest"),
            iteration=bindparam("same_iteration"),
            launched_on=None,
            entered_at=bindparam("now"),
        )
    )
    events = HistoryEvent.__table__
    append = (
        insert(events)
        .values(
            seq=select(func.coalesce(func.max(events.c.seq), 0) + 1)
            .where(events.c.instance_id == bindparam("of_instance"))
            .scalar_subquery()
        )
        .returning(events.c.id, events.c.seq)
    )
    return lock, documents, signoffs, move, append


def statement_verbs(db: Engine, run: Callable[[], object]) -> list[str]:
    """The verb of each statement `run` sends through `db`, leaving out the BEGINs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db, "before_cursor_execute", record)
    return [verb for verb in seen if verb != "BEGIN"]


def bench_database(url: str, rounds: int) -> None:
    db = get_engine(url)
    writer = writing(db)
    cycle_id = seed_cycles(url, 1).cycle_ids[0]
    lock, documents, signoffs, move, append = _bare_statements()

    def through_service() -> None:
        for trigger, _, _ in ROUND_TRIP:
            with unit_of_work(db) as session:
                fire_trigger(
                    session=session,
                    instance_id=cycle_id,
                    trigger=trigger,
                    actor_id=None,
                    reason="again",
                )

    def bare(trigger: str, source: str, dest: str) -> None:
        with writer.begin() as conn:
            state, version, iteration, team_id, _ = conn.execute(lock, {"cycle_id": cycle_id}).one()
            conn.execute(documents, {"cycle_id": cycle_id, "iteration": iteration}).all()
            conn.execute(signoffs, {"team_id": team_id}).first()
            assert state == source
            now = dt.datetime.now(dt.UTC)
            conn.execute(
                move,
                {
                    "cycle_id": cycle_id,
                    "seen": version,
                    "next_version": version + 1,
                    "dest": dest,
                    "same_iteration": iteration,
                    "now": now,
                },
            )
            event = {
                "instance_id": cycle_id,
                "of_instance": cycle_id,
                "at": now,
                "trigger": trigger,
                "from_state": source,
                "to_state": dest,
                "iteration": iteration,
                "reason": "again",
                "details": {},
            }
            conn.execute(append, event).one()

    def baseline() -> None:
        for trigger, source, dest in ROUND_TRIP:
            bare(trigger, source, dest)

    # Each round trip leaves the cycle where it found it, so the two can take turns.
    service_verbs, bare_verbs = statement_verbs(db, through_service), statement_verbs(db, baseline)
    if service_verbs != bare_verbs:
        sys.exit(f"not measured: the service sends {service_verbs}, the bare {bare_verbs}")
    timings = interleaved({"service": through_service, "bare": baseline}, rounds)
    (service_wall, service_cpu), (bare_wall, bare_cpu) = timings["service"], timings["bare"]
    print(
        f"{url.split(':')[0]}: service fire {2 / service_wall:,.0f}/s "
        f"({service_wall * 500:.2f} ms, CPU {service_cpu * 500:.2f} ms), "
        f"bare {2 / bare_wall:,.0f}/s ({bare_wall * 500:.2f} ms, CPU {bare_cpu * 500:.2f} ms); "
        f"ratio {bare_wall / service_wall:.2f} (CPU {bare_cpu / service_cpu:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    print(machine())
    bench_engine()
    for kind in chosen(args.db):
        with fresh_database(kind) as url:
            bench_database(url, args.rounds)
    print(machine())


if __name__ == "__main__":
    main()
