"""A team's calendar as an iCalendar (RFC 5545) feed: action due dates and check-ins.

Calendar apps subscribe to a URL and cannot send an Authorization header, so the feed
is read with a personal token of its own kind ("calendar") carried in the URL. Such a
token opens nothing but feeds: the API and the pages refuse it.

Every event is an all-day one. Its UID is stable from one fetch to the next, so a
calendar app updates an event in place when its action is edited. Its DTSTAMP is when
the team saved what it comes from, so the same data always gives the same feed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import and_, func, select, update
from sqlmodel import Session, col

from service.checkins import team_checkins
from service.errors import NotFound
from service.queries import OPEN_CYCLE
from service.security import issue_token, person_for_token
from service.store.models import (
    AccessToken,
    ArtifactRevision,
    Person,
    Team,
    WorkflowInstance,
    utcnow,
)

CALENDAR_TOKEN = "calendar"
CALENDAR_TOKEN_TTL = dt.timedelta(days=365)
UID_HOST = "improvement-engine"
PRODID = "-//improvement-engine//team calendar//EN"
MODE_LABELS = {"in_person": "in person", "virtual": "virtual"}


def issue_calendar_token(*, session: Session, person_id: int) -> str:
    """A long-lived token that only reads calendar feeds, for the person to subscribe with."""
    return issue_token(
        session=session,
        person_id=person_id,
        kind=CALENDAR_TOKEN,
        ttl=CALENDAR_TOKEN_TTL,
    )


def _live_calendar_tokens(person_id: int, now: dt.datetime) -> tuple[Any, ...]:
    return (
        AccessToken.person_id == person_id,
        AccessToken.kind == CALENDAR_TOKEN,
        col(AccessToken.revoked_at).is_(None),
        col(AccessToken.expires_at) > now,
    )


def live_calendar_links(*, session: Session, person_id: int) -> int:
    """How many of the person's calendar links still open a feed."""
    query = select(func.count()).where(*_live_calendar_tokens(person_id, utcnow()))
    return session.execute(query).scalar_one()


def revoke_calendar_links(*, session: Session, person_id: int) -> int:
    """Turn off every live calendar link of the person (a lost or shared one among them)."""
    now = utcnow()
    result = session.execute(
        update(AccessToken).where(*_live_calendar_tokens(person_id, now)).values(revoked_at=now)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def person_for_calendar_token(*, session: Session, token: str) -> Person | None:
    """The owner of a live calendar token, or None for an unknown, expired or revoked one."""
    return person_for_token(session=session, token=token, kind=CALENDAR_TOKEN)


@dataclass(frozen=True)
class DueAction:
    """One dated row of an open cycle's action timeline."""

    cycle_id: int
    iteration: int
    position: int
    """The row's place in the timeline, from 1."""
    action: str
    owner: str
    due: dt.date
    success_evidence: str
    status: str
    saved_at: dt.datetime

    @property
    def uid(self) -> str:
        return f"cycle-{self.cycle_id}-pass-{self.iteration}-action-{self.position}@{UID_HOST}"


def due_actions(*, session: Session, team_id: int) -> list[DueAction]:
    """Dated rows of the current action timeline of each open cycle of the team, in one query."""
    latest = (
        select(
            ArtifactRevision.instance_id,
            func.max(ArtifactRevision.revision).label("revision"),
        )
        .join(
            WorkflowInstance,
            and_(
                WorkflowInstance.id == ArtifactRevision.instance_id,
                WorkflowInstance.iteration == ArtifactRevision.iteration,
            ),
        )
        .where(
            WorkflowInstance.team_id == team_id,
            OPEN_CYCLE,
            ArtifactRevision.kind == "action_timeline",
        )
        .group_by(ArtifactRevision.instance_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ArtifactRevision.instance_id,
            ArtifactRevision.iteration,
            ArtifactRevision.body,
            ArtifactRevision.created_at,
        )
        .join(WorkflowInstance, WorkflowInstance.id == ArtifactRevision.instance_id)
        .join(
            latest,
            and_(
                ArtifactRevision.instance_id == latest.c.instance_id,
                ArtifactRevision.revision == latest.c.revision,
            ),
        )
        .where(
            ArtifactRevision.kind == "action_timeline",
            ArtifactRevision.iteration == WorkflowInstance.iteration,
        )
        .order_by(col(ArtifactRevision.instance_id))
    ).all()
    actions = []
    for cycle_id, iteration, body, saved_at in rows:
        for position, item in enumerate(body.get("items") or [], start=1):
            if item.get("due"):
                actions.append(_due_action(cycle_id, iteration, position, item, saved_at))
    return actions


def _due_action(
    cycle_id: int, iteration: int, position: int, item: dict[str, Any], saved_at: dt.datetime
) -> DueAction:
    return DueAction(
        cycle_id=cycle_id,
        iteration=iteration,
        position=position,
        action=item.get("action") or "",
        owner=item.get("owner") or "",
        due=dt.date.fromisoformat(item["due"]),
        success_evidence=item.get("success_evidence") or "",
        status=item.get("status") or "",
        saved_at=saved_at,
    )


def _all_day(uid: str, day: dt.date, stamp: dt.datetime, summary: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
    return event


def _action_event(action: DueAction) -> Event:
    summary = f"Due: {action.action or 'an action'}"
    if action.owner:
        summary += f" ({action.owner})"
    lines = [
        f"How we will know it worked: {action.success_evidence or 'not written yet'}",
        f"Status: {action.status or 'not set'}",
    ]
    return _all_day(action.uid, action.due, action.saved_at, summary, "\n".join(lines))


def team_calendar(*, session: Session, team_id: int) -> bytes:
    """The team's feed: its open cycles' due dates and its check-ins, as iCalendar text."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("team", team_id)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{team.name}: improvement cycle")
    events = [_action_event(a) for a in due_actions(session=session, team_id=team_id)]
    for checkin in team_checkins(session=session, team_id=team_id):
        events.append(
            _all_day(
                f"checkin-{checkin.id}@{UID_HOST}",
                checkin.held_on,
                checkin.created_at,
                f"Check-in ({MODE_LABELS.get(checkin.mode, checkin.mode)})",
                f"Next steps: {checkin.next_steps or 'none recorded'}",
            )
        )
    for event in sorted(events, key=lambda e: (e.decoded("dtstart"), str(e["uid"]))):
        calendar.add_component(event)
    return calendar.to_ical()
