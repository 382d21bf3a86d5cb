"""A small state program for the program pages' tests, every figure of it worked out by hand.

Times count back from the service's clock, since the pages judge schedules and stalls by
today's date: a test that compares with a page holds that clock still (the `now` fixture).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from factories import (
    action_timeline,
    data_collection,
    impact_assessment,
    purpose_map,
    theory_of_action,
)
from sqlalchemy import Engine

from service.enrolment import enrol_school
from service.instances import fire_trigger, save_artifact, start_cycle
from service.organisation import add_school, add_team, create_program
from service.store.database import unit_of_work
from service.store.models import utcnow


@dataclass(frozen=True)
class SmallProgram:
    """Oak (a year behind), Elm (on time, its team through a review) and Ash (not enrolled)."""

    program_id: int
    schools: dict[str, int]
    teams: dict[str, int]


def days_ago(days: float) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


def _school(db: Engine, program_id: int, name: str, *teams: str) -> tuple[int, list[int]]:
    with unit_of_work(db) as session:
        school = add_school(
            session=session, program_id=program_id, name=name, code=uuid.uuid4().hex[:6]
        )
        ids = [add_team(session=session, school_id=school.id or 0, name=t).id or 0 for t in teams]
        return school.id or 0, ids


def _enrol(db: Engine, school_id: int, started: int) -> None:
    with unit_of_work(db) as session:
        enrol_school(
            session=session,
            school_id=school_id,
            cohort="2025 cohort",
            started_on=utcnow().date() - dt.timedelta(days=started),
            actor_id=None,
        )


def _cycle(db: Engine, team_id: int, started: float) -> int:
    with unit_of_work(db) as session:
        return (
            start_cycle(
                session=session,
                team_id=team_id,
                condition="vision-and-strategy",
                reason="greatest_need: set up by the test",
                actor_id=None,
                now=days_ago(started),
            ).id
            or 0
        )


def _through_review(db: Engine, cycle_id: int) -> None:
    """why 2 days, how 2, implement 3, review 3: then the review is concluded, 2 days ago."""
    how = [("purpose_map", purpose_map()), ("action_timeline", action_timeline())]
    steps: list[tuple[float, list[tuple[str, Any]], str]] = [
        (10, [("theory_of_action", theory_of_action())], "start_planning"),
        (8, how, "launch_test"),
        (5, [("data_collection", data_collection(days_ago(8).date()))] * 2, "start_review"),
        (2, [("impact_assessment", impact_assessment())], "conclude_review"),
    ]
    for day, artifacts, trigger in steps:
        with unit_of_work(db) as session:
            for kind, body in artifacts:
                save_artifact(
                    session=session,
                    instance_id=cycle_id,
                    kind=kind,
                    data=body,
                    author_id=None,
                    now=days_ago(day),
                )
            fire_trigger(
                session=session,
                instance_id=cycle_id,
                trigger=trigger,
                actor_id=None,
                now=days_ago(day),
            )


def small_program(db: Engine, name: str = "Page program") -> SmallProgram:
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name=name).id or 0
    oak, (oak_team, oak_quiet) = _school(db, program_id, "Oak", "Oak team", "Oak quiet team")
    elm, (elm_team,) = _school(db, program_id, "Elm", "Elm team")
    ash, _ = _school(db, program_id, "Ash")
    _enrol(db, oak, started=400)  # the calendar expects implementing: behind
    _enrol(db, elm, started=10)
    _cycle(db, oak_team, started=40)  # in why, quiet for 40 days
    _through_review(db, _cycle(db, elm_team, started=12))
    return SmallProgram(
        program_id,
        {"oak": oak, "elm": elm, "ash": ash},
        {"oak": oak_team, "oak_quiet": oak_quiet, "elm": elm_team},
    )
