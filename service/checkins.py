"""Logging a coach's check-in or site visit with a team."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from service.errors import InvalidRequest
from service.store.models import CheckIn, utcnow

MODES = ("in_person", "virtual")


def log_checkin(
    *,
    session: Session,
    team_id: int,
    author_id: int,
    held_on: dt.date,
    mode: str,
    notes: str,
    next_steps: str,
    attendees: list[str],
    today: dt.date | None = None,
) -> CheckIn:
    if mode not in MODES:
        raise InvalidRequest(f"mode must be one of {MODES}, not {mode!r}")
    if held_on > (today or utcnow().date()):
        raise InvalidRequest(f"a check-in cannot be logged for a future date ({held_on})")
    checkin = CheckIn(
        team_id=team_id,
        author_id=author_id,
        held_on=held_on,
        mode=mode,
        notes=notes,
        next_steps=next_steps,
        attendees=[a.strip() for a in attendees if a.strip()],
    )
    session.add(checkin)
    session.flush()
    return checkin


def team_checkins(*, session: Session, team_id: int) -> list[CheckIn]:
    """The team's check-ins, newest first."""
    query = select(CheckIn).where(CheckIn.team_id == team_id)
    return list(
        session.exec(query.order_by(col(CheckIn.held_on).desc(), col(CheckIn.id).desc())).all()
    )
