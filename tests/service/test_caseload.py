"""The coach's caseload: flags at their boundaries, rows worst first, constant query count."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from factories import action_timeline, new_cycle, save
from sqlalchemy import Engine, insert
from statement_count import recorded_statements

from service.caseload import (
    caseload,
    checkin_due,
    coach_teams,
    is_stalled,
    overdue_items,
    stage_board,
    stage_board_teams,
)
from service.catalog import get_catalog, pin
from service.checkins import log_checkin
from service.organisation import add_school, add_to_team, create_person, create_program
from service.store.database import unit_of_work
from service.store.models import HistoryEvent, Team, TeamMembership, WorkflowInstance

TODAY = dt.date(2026, 11, 24)
NOON = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(("days_quiet", "stalled"), [(20, False), (21, True), (22, True)])
def test_a_team_is_stalled_from_the_programs_nth_quiet_day(days_quiet: int, stalled: bool) -> None:
    last = NOON - dt.timedelta(days=days_quiet)
    assert is_stalled(last, TODAY, stall_days=21) is stalled


def test_a_team_with_no_activity_at_all_is_stalled() -> None:
    assert is_stalled(None, TODAY, stall_days=21)


@pytest.mark.parametrize(
    ("due", "status", "overdue"),
    [
        (TODAY, "planned", False),
        (TODAY - dt.timedelta(days=1), "planned", True),
        (TODAY - dt.timedelta(days=1), "doing", True),
        (TODAY - dt.timedelta(days=1), "done", False),
    ],
)
def test_an_action_is_overdue_from_the_day_after_it_was_due_unless_done(
    due: dt.date, status: str, overdue: bool
) -> None:
    timeline = {"items": [{"action": "a", "owner": "o", "due": due.isoformat(), "status": status}]}
    assert bool(overdue_items(timeline, TODAY)) is overdue


@pytest.mark.parametrize(
    ("last", "due"),
    [(None, True), (dt.date(2026, 10, 31), True), (dt.date(2026, 11, 1), False), (TODAY, False)],
)
def test_a_checkin_is_due_until_one_is_logged_this_calendar_month(
    last: dt.date | None, due: bool
) -> None:
    assert checkin_due(last, TODAY) is due


def _coach(db: Engine, *team_ids: int) -> int:
    with unit_of_work(db) as session:
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Coach")
        for team_id in team_ids:
            add_to_team(session=session, team_id=team_id, person_id=coach.id or 0, role="coach")
        return coach.id or 0


def _team_of(db: Engine, cycle_id: int) -> int:
    with unit_of_work(db, write=False) as session:
        return session.get_one(WorkflowInstance, cycle_id).team_id or 0


def test_the_caseload_shows_each_teams_stage_debts_and_flags_worst_first(db: Engine) -> None:
    quiet = new_cycle(db, "shared-influence", now=NOON - dt.timedelta(days=30))
    busy = new_cycle(db, "vision-and-strategy", now=NOON)
    late = {"items": [{**action_timeline()["items"][0], "due": "2026-11-01"}]}
    save(db, busy, "action_timeline", late, now=NOON)
    coach = _coach(db, _team_of(db, quiet), _team_of(db, busy))
    with unit_of_work(db) as session:
        log_checkin(
            session=session,
            team_id=_team_of(db, busy),
            author_id=coach,
            held_on=TODAY,
            mode="virtual",
            notes="",
            next_steps="",
            attendees=[],
            today=TODAY,
        )
    with unit_of_work(db, write=False) as session:
        rows = caseload(session=session, team_ids=coach_teams(coach), today=TODAY)
        board = stage_board(session=session, team_ids=coach_teams(coach))
        board_teams = stage_board_teams(session=session, team_ids=coach_teams(coach))
    by_cycle = {r.cycle_id: r for r in rows}
    assert [r.cycle_id for r in rows] == [quiet, busy]
    assert by_cycle[quiet].flags == ["stalled", "checkin_due"]
    assert by_cycle[quiet].days_in_state == 30
    assert by_cycle[busy].owed == ["theory_of_action"]
    assert by_cycle[busy].state == "why" and by_cycle[busy].condition == "vision-and-strategy"
    assert by_cycle[busy].last_checkin == TODAY
    assert [i.due for i in by_cycle[busy].overdue_items] == [dt.date(2026, 11, 1)]
    assert by_cycle[busy].flags == ["overdue"]
    assert board.cells == {("shared-influence", "why"): 1, ("vision-and-strategy", "why"): 1}
    assert (board.teams, board.without_cycle) == (2, 0)
    assert board_teams[("vision-and-strategy", "why")] == [_team_of(db, busy)]


def _bulk_teams(db: Engine, count: int) -> int:
    """A coach with `count` teams, each with a cycle and a history event, inserted in bulk."""
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Scale")
        school = add_school(
            session=session, program_id=program.id or 0, name="S", code=uuid.uuid4().hex[:8]
        )
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Coach")
        stored = pin(session, get_catalog().definition("vision-and-strategy"))
        first = (
            session.execute(
                insert(Team).returning(Team.id),
                [
                    {"school_id": school.id, "name": f"T{n}", "created_at": NOON}
                    for n in range(count)
                ],
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(TeamMembership),
            [
                {"team_id": t, "person_id": coach.id, "role": "coach", "created_at": NOON}
                for t in first
            ],
        )
        cycles = (
            session.execute(
                insert(WorkflowInstance).returning(WorkflowInstance.id),
                [
                    {
                        "definition_id": stored.id,
                        "kind": "cycle",
                        "workflow": "vision-and-strategy",
                        "team_id": t,
                        "condition": "vision-and-strategy",
                        "state": "why",
                        "iteration": 1,
                        "version": 1,
                        "entered_at": NOON,
                        "created_at": NOON,
                    }
                    for t in first
                ],
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(HistoryEvent),
            [
                {
                    "instance_id": c,
                    "seq": 1,
                    "at": NOON,
                    "trigger": "start",
                    "to_state": "why",
                    "iteration": 1,
                    "details": {},
                }
                for c in cycles
            ],
        )
        return coach.id or 0


def _statements(db: Engine, coach: int) -> tuple[int, int]:
    with recorded_statements(db) as seen, unit_of_work(db, write=False) as session:
        rows = caseload(session=session, team_ids=coach_teams(coach), today=TODAY)
    return len(seen), len(rows)


def test_the_caseload_issues_the_same_number_of_queries_for_10_and_1000_teams(db: Engine) -> None:
    small, large = _bulk_teams(db, 10), _bulk_teams(db, 1000)
    _statements(db, small)  # warm the pinned-workflow cache, as a running server has
    assert _statements(db, small) == (_statements(db, small)[0], 10)
    queries_small, _ = _statements(db, small)
    queries_large, rows = _statements(db, large)
    assert rows == 1000
    assert queries_small == queries_large
