"""Two requests firing on the same cycle at once: exactly one wins, the other is told why."""

from __future__ import annotations

import threading

from factories import fire, new_cycle, save, theory_of_action
from sqlalchemy import Engine

from engine.errors import TransitionRefused
from service.queries import history
from service.store.database import unit_of_work


def _race(db: Engine, cycle_id: int, contenders: int) -> list[object]:
    barrier = threading.Barrier(contenders)
    results: list[object] = []
    lock = threading.Lock()

    def contend() -> None:
        barrier.wait()
        try:
            outcome: object = fire(db, cycle_id, "start_planning")
        except TransitionRefused as refused:
            outcome = refused
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_fires_on_one_cycle_give_one_success_and_one_conflict(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    results = _race(db, cycle_id, contenders=2)
    refusals = [r for r in results if isinstance(r, TransitionRefused)]
    assert len(results) == 2 and len(refusals) == 1
    assert "start_planning cannot be fired from state 'how'" in str(refusals[0])
    with unit_of_work(db, write=False) as session:
        events = history(session=session, instance_id=cycle_id)
    assert [e.trigger for e in events] == ["start", "start_planning"]


def test_many_concurrent_fires_leave_exactly_one_event(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    results = _race(db, cycle_id, contenders=8)
    assert sum(not isinstance(r, TransitionRefused) for r in results) == 1
    with unit_of_work(db, write=False) as session:
        assert [e.seq for e in history(session=session, instance_id=cycle_id)] == [1, 2]
