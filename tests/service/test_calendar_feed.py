"""The team calendar feed: which dates it holds, RFC 5545 text, and its tokens."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from factories import (
    LAUNCH,
    action_timeline,
    fire,
    new_cycle,
    save,
    theory_of_action,
    walk_to_decide,
)
from icalendar import Calendar
from sqlalchemy import Engine

from service.calendar_feed import (
    due_actions,
    issue_calendar_token,
    person_for_calendar_token,
    team_calendar,
)
from service.checkins import log_checkin
from service.errors import NotFound
from service.organisation import create_person
from service.security import person_for_token, revoke_token
from service.store.database import unit_of_work
from service.store.models import WorkflowInstance

TRICKY = 'Plan, review; repeat\nthen <script>alert("x")</script> \\ done'


def _item(action: str, due: str | None, **extra: Any) -> dict[str, Any]:
    item = {"action": action, "owner": "Principal", "success_evidence": "Minutes.", **extra}
    if due is not None:
        item["due"] = due
    return item


def _planning(db: Engine) -> tuple[int, int]:
    """A cycle in `how`, ready for its action timeline: (cycle, team)."""
    cycle = new_cycle(db)
    save(db, cycle, "theory_of_action", theory_of_action())
    fire(db, cycle, "start_planning")
    with unit_of_work(db, write=False) as session:
        return cycle, session.get_one(WorkflowInstance, cycle).team_id or 0


def _timeline(db: Engine, cycle: int, *items: dict[str, Any]) -> None:
    save(db, cycle, "action_timeline", {"items": list(items)})


def _calendar(db: Engine, team_id: int) -> bytes:
    with unit_of_work(db, write=False) as session:
        return team_calendar(session=session, team_id=team_id)


def _events(feed: bytes) -> dict[str, dict[str, Any]]:
    """UID -> (summary, start, end, description) of every VEVENT, as a parser reads them."""
    return {
        str(e["uid"]): {
            "summary": str(e["summary"]),
            "start": e.decoded("dtstart"),
            "end": e.decoded("dtend"),
            "description": str(e["description"]),
        }
        for e in Calendar.from_ical(feed).walk("VEVENT")
    }


def test_only_dated_rows_of_the_current_timeline_become_events(db: Engine) -> None:
    cycle, team = _planning(db)
    _timeline(db, cycle, _item("Draft", "2026-03-10"))
    _timeline(
        db,
        cycle,
        _item("Schedule it", "2026-03-20", status="doing"),
        _item("Not dated yet", None),
        _item("Review it", "2026-04-02", status="planned"),
    )
    events = _events(_calendar(db, team))
    assert events == {
        f"cycle-{cycle}-pass-1-action-1@improvement-engine": {
            "summary": "Due: Schedule it (Principal)",
            "start": dt.date(2026, 3, 20),
            "end": dt.date(2026, 3, 21),
            "description": "How we will know it worked: Minutes.\nStatus: doing",
        },
        f"cycle-{cycle}-pass-1-action-3@improvement-engine": {
            "summary": "Due: Review it (Principal)",
            "start": dt.date(2026, 4, 2),
            "end": dt.date(2026, 4, 3),
            "description": "How we will know it worked: Minutes.\nStatus: planned",
        },
    }


@pytest.mark.parametrize(
    "decision",
    [
        {"choice": "revisit", "rationale": "Again."},
        {"choice": "move_on", "rationale": "Done.", "next_condition": "shared-influence"},
    ],
    ids=["revisit", "move_on"],
)
def test_a_decided_pass_takes_its_timeline_off_the_calendar(
    db: Engine, decision: dict[str, Any]
) -> None:
    cycle = new_cycle(db)
    walk_to_decide(db, cycle)
    with unit_of_work(db, write=False) as session:
        team = session.get_one(WorkflowInstance, cycle).team_id or 0
        assert [a.action for a in due_actions(session=session, team_id=team)] == ["Schedule it"]
    save(db, cycle, "decision", decision)
    fire(db, cycle, decision["choice"])
    assert _events(_calendar(db, team)) == {}


def test_check_ins_are_all_day_events_with_their_next_steps(db: Engine) -> None:
    _, team = _planning(db)
    with unit_of_work(db) as session:
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Coach")
        for held_on, mode in ((dt.date(2026, 3, 3), "in_person"), (dt.date(2026, 4, 7), "virtual")):
            log_checkin(
                session=session,
                team_id=team,
                author_id=coach.id or 0,
                held_on=held_on,
                mode=mode,
                notes="Private notes stay out.",
                next_steps=f"Follow up on {held_on}",
                attendees=[],
                today=LAUNCH.date() + dt.timedelta(days=60),
            )
    events = _events(_calendar(db, team)).values()
    assert sorted((e["summary"], e["start"], e["description"]) for e in events) == [
        ("Check-in (in person)", dt.date(2026, 3, 3), "Next steps: Follow up on 2026-03-03"),
        ("Check-in (virtual)", dt.date(2026, 4, 7), "Next steps: Follow up on 2026-04-07"),
    ]


def test_text_is_escaped_and_folded_as_rfc_5545_says(db: Engine) -> None:
    cycle, team = _planning(db)
    long_owner = "Ms Ñúñez-Øberg, head of year 7 and lead for the shared planning pilot " * 2
    _timeline(db, cycle, _item(TRICKY, "2026-03-20", owner=long_owner.strip()))
    feed = _calendar(db, team)
    raw = feed.decode().replace("\r\n ", "")  # unfolded
    assert "SUMMARY:Due: Plan\\, review\\; repeat\\nthen <script>" in raw
    assert "\\\\ done" in raw
    lines = feed.split(b"\r\n")
    assert lines[-1] == b""  # every line, the last included, ends in CRLF
    assert max(len(line) for line in lines) <= 75
    (event,) = _events(feed).values()
    assert event["summary"] == f"Due: {TRICKY} ({long_owner.strip()})"


def test_the_same_data_gives_the_same_feed(db: Engine) -> None:
    cycle, team = _planning(db)
    _timeline(db, cycle, *action_timeline()["items"])
    assert _calendar(db, team) == _calendar(db, team)


def test_an_unknown_team_has_no_calendar(db: Engine) -> None:
    with pytest.raises(NotFound, match="team 2147483647 not found"):
        _calendar(db, 2**31 - 1)


def test_a_calendar_token_reads_feeds_only_until_revoked(db: Engine) -> None:
    with unit_of_work(db) as session:
        person = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="P")
        token = issue_calendar_token(session=session, person_id=person.id or 0)
    with unit_of_work(db, write=False) as session:
        owner = person_for_calendar_token(session=session, token=token)
        assert owner is not None and owner.id == person.id
        assert person_for_token(session=session, token=token, kind="api") is None
    with unit_of_work(db) as session:
        revoke_token(session=session, token=token)
    with unit_of_work(db, write=False) as session:
        assert person_for_calendar_token(session=session, token=token) is None
