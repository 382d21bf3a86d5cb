"""What one trigger costs: in the engine alone, and fired through the database.

    python bench/engine_fire.py [--database-url URL] [--rounds N]

Prints, for the engine: the `transitions` call alone and a full `Workflow.fire`
(gates, effects, event). For the database: `fire_trigger` through the service
layer against a bare baseline that issues the same statements with SQLAlchemy
Core in the same transaction shape, and the ratio of their rates. Each round
fires `start_planning` (why -> how) and then `step_back` (how -> why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import func, insert, select, update

from engine.facts import Facts
from engine.gates import GateContext
from engine.workflow import InstanceState, _Holder
from service.catalog import get_catalog
from service.instances import fire_trigger, save_artifact, start_cycle
from service.organisation import add_school, add_team, create_program
from service.store.database import get_engine, unit_of_work
from service.store.migrate import upgrade
from service.store.models import (
    ArtifactRevision,
    HistoryEvent,
    StoredDefinition,
    WorkflowInstance,
)

THEORY = {
    "goal": "g",
    "problem_of_practice": "p",
    "staff_evidence": "e",
    "barrier": "b",
    "approach": "a",
    "statement": "If we do this, then that happens.",
}


def per_call(fn: Callable[[], object], n: int) -> float:
    """Median seconds per call over five batches of n."""
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        batches.append((time.perf_counter() - start) / n)
    return statistics.median(batches)


def bench_engine() -> None:
    workflow = get_catalog().current_workflow("vision-and-strategy")
    facts = Facts(today=dt.date(2026, 3, 2), artifacts={"theory_of_action": THEORY})
    why = InstanceState("why")
    event = workflow._machine.events["start_planning"]
    ctx = GateContext(facts, workflow.artifacts, why, "vision-and-strategy")

    def transitions_only() -> None:
        event.trigger(_Holder("why"), ctx=ctx, override=False)

    machine_s = per_call(transitions_only, 20_000)
    fire_s = per_call(lambda: workflow.fire("start_planning", why, facts), 20_000)
    print(f"engine: transitions call {machine_s * 1e6:.1f} us; Workflow.fire {fire_s * 1e6:.1f} us")


def _setup(url: str) -> int:
    upgrade(url)
    db = get_engine(url)
    with unit_of_work(db) as session:
        program = create_program(session=session, name="bench")
        school = add_school(
            session=session, program_id=program.id, name="s", code=str(time.time_ns())
        )
        team = add_team(session=session, school_id=school.id, name="t")
        cycle = start_cycle(
            session=session,
            team_id=team.id,
            condition="vision-and-strategy",
            reason="r",
            actor_id=None,
        )
        save_artifact(
            session=session,
            instance_id=cycle.id,
            kind="theory_of_action",
            data=THEORY,
            author_id=None,
        )
        return cycle.id


def bench_database(url: str, rounds: int) -> None:
    db = get_engine(url)
    cycle_id = _setup(url)

    def through_service() -> None:
        for trigger, reason in (("start_planning", None), ("step_back", "again")):
            with unit_of_work(db) as session:
                fire_trigger(
                    session=session,
                    instance_id=cycle_id,
                    trigger=trigger,
                    actor_id=None,
                    reason=reason,
                )

    def bare(state_from: str, state_to: str, trigger: str) -> None:
        with db.begin() as conn:
            row = conn.execute(
                select(
                    WorkflowInstance.version,
                    WorkflowInstance.definition_id,
                    WorkflowInstance.iteration,
                )
                .where(WorkflowInstance.id == cycle_id)
                .with_for_update()
            ).one()
            conn.execute(select(StoredDefinition.body).where(StoredDefinition.id == row[1])).one()
            conn.execute(
                select(ArtifactRevision.body).where(
                    ArtifactRevision.instance_id == cycle_id, ArtifactRevision.iteration == row[2]
                )
            ).all()
            conn.execute(
                update(WorkflowInstance)
                .where(WorkflowInstance.id == cycle_id, WorkflowInstance.version == row[0])
                .values(version=row[0] + 1, state=state_to)
            )
            seq = conn.execute(
                select(func.max(HistoryEvent.seq)).where(HistoryEvent.instance_id == cycle_id)
            ).scalar_one()
            conn.execute(
                insert(HistoryEvent).values(
                    instance_id=cycle_id,
                    seq=seq + 1,
                    at=dt.datetime.now(dt.UTC),
                    trigger=trigger,
                    from_state=state_from,
                    to_state=state_to,
                    iteration=row[2],
                    details={},
                )
            )

    def baseline() -> None:
        bare("why", "how", "start_planning")
        bare("how", "why", "step_back")

    # The baseline leaves the cycle where it found it, so the two can alternate.
    service_s = per_call(through_service, rounds) / 2
    bare_s = per_call(baseline, rounds) / 2
    print(
        f"{url.split(':')[0]}: service fire {1 / service_s:,.0f}/s ({service_s * 1e3:.2f} ms), "
        f"bare {1 / bare_s:,.0f}/s ({bare_s * 1e3:.2f} ms), ratio {bare_s / service_s:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append", default=[])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    bench_engine()
    urls = args.database_url or [f"sqlite:///{tempfile.mkdtemp()}/bench.db"]
    for url in urls:
        bench_database(url, args.rounds)


if __name__ == "__main__":
    main()
