"""The coach's caseload: flags at their boundaries, rows worst first, constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from caseload_factories import bulk_coached_teams, coach_of, team_of
from factories import action_timeline, new_cycle, save
from sqlalchemy import Engine
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
from service.checkins import log_checkin
from service.store.database import unit_of_work

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


def test_the_caseload_shows_each_teams_stage_debts_and_flags_worst_first(db: Engine) -> None:
    quiet = new_cycle(db, "shared-influence", now=NOON - dt.timedelta(days=30))
    busy = new_cycle(db, "vision-and-strategy", now=NOON)
    late = {"items": [{**action_timeline()["items"][0], "due": "2026-11-01"}]}
    save(db, busy, "action_timeline", late, now=NOON)
    coach = coach_of(db, team_of(db, quiet), team_of(db, busy))
    with unit_of_work(db) as session:
        log_checkin(
            session=session,
            team_id=team_of(db, busy),
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
    assert board_teams[("vision-and-strategy", "why")] == [team_of(db, busy)]


def _statements(db: Engine, coach: int) -> tuple[int, int]:
    with recorded_statements(db) as seen, unit_of_work(db, write=False) as session:
        rows = caseload(session=session, team_ids=coach_teams(coach), today=TODAY)
    return len(seen), len(rows)


def test_the_caseload_issues_the_same_number_of_queries_for_10_and_1000_teams(db: Engine) -> None:
    small, large = bulk_coached_teams(db, 10, NOON), bulk_coached_teams(db, 1000, NOON)
    _statements(db, small)  # warm the pinned-workflow cache, as a running server has
    assert _statements(db, small) == (_statements(db, small)[0], 10)
    queries_small, _ = _statements(db, small)
    queries_large, rows = _statements(db, large)
    assert rows == 1000
    assert queries_small == queries_large
