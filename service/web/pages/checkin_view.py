"""What a team page shows of its coach's check-ins, and the form that logs one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from service.access import Action, Caller, allowed, team_scope
from service.checkins import MODES, team_checkins
from service.store.models import Person, utcnow

MODE_LABELS = {"in_person": "In person", "virtual": "Virtual"}


def checkins_path(team_id: int) -> str:
    return f"/teams/{team_id}/checkins"


@dataclass(frozen=True)
class CheckinDraft:
    """A check-in form the server refused, with what was typed and a message per field."""

    values: Mapping[str, str]
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckinEntry:
    held_on: dt.date
    mode: str
    author: str | None
    attendees: tuple[str, ...]
    notes: str
    next_steps: str


@dataclass(frozen=True)
class CheckinForm:
    action: str
    values: Mapping[str, str]
    errors: Mapping[str, str]
    modes: tuple[tuple[str, str], ...]
    today: dt.date


@dataclass(frozen=True)
class CheckinPanel:
    entries: tuple[CheckinEntry, ...]
    form: CheckinForm | None


def today() -> dt.date:
    """The date check-ins are judged by: the caseload's (UTC) calendar day."""
    return utcnow().date()


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


def checkin_panel(
    *, session: Session, caller: Caller, team_id: int, draft: CheckinDraft | None = None
) -> CheckinPanel:
    """The team's check-ins, newest first; the form too for those who may log one."""
    checkins = team_checkins(session=session, team_id=team_id)
    names = _names(session, {c.author_id for c in checkins})
    may_log = allowed(caller, Action.CHECK_IN, team_scope(session=session, team_id=team_id))
    form = None
    if may_log:
        day = today()
        values = draft.values if draft else {"held_on": day.isoformat(), "mode": ""}
        form = CheckinForm(
            action=checkins_path(team_id),
            values=values,
            errors=draft.errors if draft else {},
            modes=tuple((mode, MODE_LABELS[mode]) for mode in MODES),
            today=day,
        )
    return CheckinPanel(
        entries=tuple(
            CheckinEntry(
                held_on=c.held_on,
                mode=MODE_LABELS.get(c.mode, c.mode),
                author=names.get(c.author_id),
                attendees=tuple(c.attendees),
                notes=c.notes,
                next_steps=c.next_steps,
            )
            for c in checkins
        ),
        form=form,
    )
