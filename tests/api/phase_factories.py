"""A school's program phases started by hand, as a school that joined before enrolments did."""

from __future__ import annotations

from sqlalchemy import Engine

from service.instances import start_instance
from service.store.database import unit_of_work


def started_phases(db: Engine, school_id: int, reason: str = "Joined the program") -> int:
    """Start the school's program phases outside an enrolment; returns the instance's id."""
    with unit_of_work(db) as session:
        phases = start_instance(
            session=session,
            workflow_name="program-phases",
            actor_id=None,
            reason=reason,
            school_id=school_id,
        )
        return phases.id or 0
