"""Requests that start a team's cycle or onboarding run at the same moment start only one."""

from __future__ import annotations

import threading
from collections.abc import Callable

from factories import new_team
from sqlalchemy import Engine
from sqlmodel import col, func, select

from service.errors import CycleAlreadyOpen, OnboardingAlreadyOpen
from service.instances import start_cycle
from service.onboarding import save_self_assessment, start_onboarding
from service.store.database import unit_of_work
from service.store.models import Person, WorkflowInstance


def at_once(contenders: int, attempt: Callable[[], None]) -> list[Exception]:
    """Run `attempt` on `contenders` threads released together; what each one raised."""
    barrier = threading.Barrier(contenders)
    refusals: list[Exception] = []
    lock = threading.Lock()

    def contend() -> None:
        barrier.wait()
        try:
            attempt()
        except Exception as refused:
            with lock:
                refusals.append(refused)

    threads = [threading.Thread(target=contend) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return refusals


def runs_of(db: Engine, team_id: int, kind: str) -> int:
    with unit_of_work(db, write=False) as session:
        return session.exec(
            select(func.count()).where(
                WorkflowInstance.team_id == team_id, col(WorkflowInstance.kind) == kind
            )
        ).one()


def test_simultaneous_starts_of_a_teams_cycle_open_one_and_refuse_the_rest(db: Engine) -> None:
    team_id = new_team(db)

    def start() -> None:
        with unit_of_work(db) as session:
            start_cycle(
                session=session,
                team_id=team_id,
                condition="vision-and-strategy",
                reason="Chosen by two members at once",
                actor_id=None,
            )

    refusals = at_once(4, start)

    assert runs_of(db, team_id, "cycle") == 1
    assert len(refusals) == 3
    assert all(isinstance(refused, CycleAlreadyOpen) for refused in refusals)


def test_simultaneous_first_self_assessments_land_in_one_onboarding_run(db: Engine) -> None:
    team_id = new_team(db)
    with unit_of_work(db) as session:
        rater = Person(email="rater@school.example", name="Rater", password_hash="unused")
        session.add(rater)
        session.flush()
        rater_id = rater.id
    assert rater_id is not None
    rating = {
        "ratings": [
            {
                "condition": "vision-and-strategy",
                "dimension": "A shared vision",
                "level": "developing",
                "evidence": "Half the staff named the same priority.",
            }
        ]
    }

    def rate() -> None:
        with unit_of_work(db) as session:
            save_self_assessment(session=session, team_id=team_id, data=rating, author_id=rater_id)

    assert at_once(4, rate) == []
    assert runs_of(db, team_id, "onboarding") == 1


def test_simultaneous_onboarding_starts_open_one_run_and_refuse_the_rest(db: Engine) -> None:
    team_id = new_team(db)

    def start() -> None:
        with unit_of_work(db) as session:
            start_onboarding(session=session, team_id=team_id, actor_id=None, reason="At once")

    refusals = at_once(4, start)

    assert runs_of(db, team_id, "onboarding") == 1
    assert len(refusals) == 3
    assert all(isinstance(refused, OnboardingAlreadyOpen) for refused in refusals)
