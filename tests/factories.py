"""Small factories for test data: each test makes what it needs and nothing more."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Engine

from service.instances import fire_trigger, save_artifact, start_cycle
from service.organisation import add_school, add_team, create_program
from service.store.database import unit_of_work

LAUNCH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def new_team(db: Engine) -> int:
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Test program")
        school = add_school(
            session=session,
            program_id=program.id or 0,
            name="Test school",
            code=uuid.uuid4().hex[:8],
        )
        return add_team(session=session, school_id=school.id or 0, name="Test team").id or 0


def new_cycle(db: Engine, condition: str = "vision-and-strategy", **kwargs: Any) -> int:
    team_id = new_team(db)
    with unit_of_work(db) as session:
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition=condition,
            reason="Greatest need",
            actor_id=None,
            **kwargs,
        )
        return cycle.id or 0


def theory_of_action() -> dict[str, Any]:
    return {
        "goal": "Staff plan together weekly.",
        "problem_of_practice": "Planning happens alone.",
        "staff_evidence": "Survey of 30 staff.",
        "barrier": "No shared time.",
        "approach": "Protect one period a week.",
        "statement": "If we protect a weekly period, then staff will plan together.",
    }


def purpose_map() -> dict[str, Any]:
    return {
        "vision": "Shared planning is normal.",
        "idea_to_test": "One protected period.",
        "people": [{"name": f"Group {n}", "part": "Plan together."} for n in range(3)],
        "first_steps": ["Agree the period."],
        "success_measures": ["Attendance."],
    }


def action_timeline() -> dict[str, Any]:
    return {
        "items": [
            {
                "action": "Schedule it",
                "owner": "Principal",
                "due": "2026-03-20",
                "success_evidence": "On the timetable.",
                "status": "planned",
            }
        ]
    }


def data_collection(on: dt.date, source: str = "feedback") -> dict[str, Any]:
    return {
        "collected_on": on.isoformat(),
        "source": source,
        "participants": "12",
        "summary": "Ok.",
    }


def impact_assessment() -> dict[str, Any]:
    return {
        "findings": "It helped.",
        "goal_progress": "met",
        "evidence": "Minutes.",
        "adjustments": "None.",
    }


def save(db: Engine, cycle_id: int, kind: str, data: dict[str, Any], **kwargs: Any) -> None:
    with unit_of_work(db) as session:
        save_artifact(
            session=session, instance_id=cycle_id, kind=kind, data=data, author_id=None, **kwargs
        )


def fire(db: Engine, cycle_id: int, trigger: str, **kwargs: Any) -> Any:
    kwargs.setdefault("now", LAUNCH)
    with unit_of_work(db) as session:
        return fire_trigger(
            session=session, instance_id=cycle_id, trigger=trigger, actor_id=None, **kwargs
        )


def walk_to_decide(db: Engine, cycle_id: int) -> None:
    """Write every artifact and fire every gate from `why` to `decide`."""
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")
    save(db, cycle_id, "purpose_map", purpose_map())
    save(db, cycle_id, "action_timeline", action_timeline())
    fire(db, cycle_id, "launch_test")
    save(db, cycle_id, "data_collection", data_collection(LAUNCH.date()))
    save(db, cycle_id, "data_collection", data_collection(LAUNCH.date(), "observation"))
    fire(db, cycle_id, "start_review")
    save(db, cycle_id, "impact_assessment", impact_assessment())
    fire(db, cycle_id, "conclude_review")
