"""What the demo program holds, and the accounts a newcomer signs in with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from service.store.models import Person, School, Team, WorkflowInstance

NEW_TEAM_EMAIL = "newteam@demo.example"
"""The member of the demo's one new team, partway through onboarding."""


@dataclass(frozen=True)
class DemoSummary:
    program_id: int
    schools: int
    states: dict[str, int]
    conditions: dict[str, int]
    phases: dict[str, int]
    created: bool


def demo_accounts(session: Session) -> list[tuple[str, str]]:
    """(role, e-mail) of the demo's people a newcomer would sign in as first."""
    emails = session.exec(
        select(Person.email).where(Person.email.like("%@demo.example")).order_by(Person.email)  # type: ignore[attr-defined]
    ).all()
    first_member = next((e for e in emails if e.startswith("team")), None)
    roles = {
        "admin@demo.example": "program admin",
        "coach1@demo.example": "coach (12 teams)",
        "coach2@demo.example": "coach (12 teams)",
        NEW_TEAM_EMAIL: "a new team, taking stock of its school",
    }
    accounts = [(roles[e], e) for e in emails if e in roles]
    if first_member:
        accounts.append(("team member (one per school: team01 ... team24)", first_member))
    return accounts


def summarise(session: Session, program_id: int, *, created: bool) -> DemoSummary:
    cycles = session.exec(
        select(WorkflowInstance.state, WorkflowInstance.condition)
        .join(Team, Team.id == WorkflowInstance.team_id)
        .join(School, School.id == Team.school_id)
        .where(School.program_id == program_id, WorkflowInstance.kind == "cycle")
    ).all()
    phases = session.exec(
        select(WorkflowInstance.state)
        .join(School, School.id == WorkflowInstance.school_id)
        .where(School.program_id == program_id, WorkflowInstance.kind == "program_phases")
    ).all()
    return DemoSummary(
        program_id=program_id,
        schools=len(phases),
        states=dict(Counter(state for state, _ in cycles)),
        conditions=dict(Counter(condition or "" for _, condition in cycles)),
        phases=dict(Counter(phases)),
        created=created,
    )
