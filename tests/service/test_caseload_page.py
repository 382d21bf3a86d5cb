"""The caseload page as the database computes it: the same flags as the rules, pages that add up.

The database raises the flags, sorts, filters, counts and cuts the page; these tests hold it
to the rules in `service.caseload` at their boundaries, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from caseload_factories import bulk_coached_teams, checked_in, coach_of, team_of
from factories import new_cycle, save
from sqlalchemy import Engine, update
from statement_count import recorded_statements

from service.caseload import (
    FLAGS,
    SORTS,
    CaseloadFilters,
    caseload,
    caseload_page,
    checkin_due,
    coach_teams,
    is_stalled,
    overdue_items,
)
from service.store.database import unit_of_work
from service.store.models import (
    Program,
    School,
    Team,
)
from service.web.pages.caseload_query import COLUMNS

TODAY = dt.date(2026, 11, 24)
NOON = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _quiet_since(db: Engine, last: dt.datetime, stall_days: int) -> int:
    """A team last active at `last`, in a program that stalls teams after `stall_days`."""
    team_id = team_of(db, new_cycle(db, now=last))
    with unit_of_work(db) as session:
        school = session.get_one(School, session.get_one(Team, team_id).school_id)
        session.execute(
            update(Program).where(Program.id == school.program_id).values(stall_days=stall_days)
        )
    return team_id


def _with_timeline(db: Engine, items: list[dict[str, Any]]) -> int:
    cycle_id = new_cycle(db, now=NOON)
    save(db, cycle_id, "action_timeline", {"items": items}, now=NOON)
    return team_of(db, cycle_id)


def _checked_in(db: Engine, on: dt.date) -> int:
    team_id = team_of(db, new_cycle(db, now=NOON))
    checked_in(db, team_id, on, today=TODAY)
    return team_id


def _action(due: dt.date | None, status: str | None) -> dict[str, Any]:
    return {
        "action": "a",
        "owner": "o",
        "due": due.isoformat() if due else None,
        "success_evidence": "e",
        "status": status,
    }


def test_the_database_raises_each_flag_exactly_where_the_rules_do(db: Engine) -> None:
    yesterday = TODAY - dt.timedelta(days=1)
    stalls = {
        (days, last): _quiet_since(db, last, days)
        for days in (5, 21)
        for last in (
            _midnight(TODAY - dt.timedelta(days=days)) + dt.timedelta(hours=23, minutes=59),
            _midnight(TODAY - dt.timedelta(days=days - 1)),
        )
    }
    timelines = {
        key: (items, _with_timeline(db, items))
        for key, items in {
            "due today": [_action(TODAY, "planned")],
            "due yesterday": [_action(yesterday, "planned")],
            "doing yesterday": [_action(yesterday, "doing")],
            "done yesterday": [_action(yesterday, "done")],
            "no status yesterday": [_action(yesterday, None)],
            "no date": [_action(None, "planned")],
            "one late of two": [_action(TODAY, "planned"), _action(yesterday, "doing")],
        }.items()
    }
    checkins = {
        on: _checked_in(db, on) for on in (dt.date(2026, 10, 31), dt.date(2026, 11, 1), TODAY)
    }
    coach = coach_of(db, *stalls.values(), *(t for _, t in timelines.values()), *checkins.values())

    with unit_of_work(db, write=False) as session:
        page = caseload_page(session=session, team_ids=coach_teams(coach), today=TODAY)
    flags = {row.team_id: row.flags for row in page.rows}

    for (days, last), team_id in stalls.items():
        assert ("stalled" in flags[team_id]) is is_stalled(last, TODAY, days), (days, last)
    for key, (items, team_id) in timelines.items():
        late = bool(overdue_items({"items": items}, TODAY))
        assert ("overdue" in flags[team_id]) is late, key
    for on, team_id in checkins.items():
        assert ("checkin_due" in flags[team_id]) is checkin_due(on, TODAY), on
    assert page.flag_counts == {f: sum(f in fs for fs in flags.values()) for f in FLAGS}


def _page_statements(db: Engine, coach: int) -> tuple[int, int]:
    """(statements issued, rows shown) for the first page of 25."""
    with recorded_statements(db) as seen, unit_of_work(db, write=False) as session:
        page = caseload_page(session=session, team_ids=coach_teams(coach), today=TODAY, limit=25)
    return len(seen), len(page.rows)


def test_a_page_issues_the_same_statements_for_30_and_600_teams(db: Engine) -> None:
    small, large = bulk_coached_teams(db, 30, NOON), bulk_coached_teams(db, 600, NOON)
    _page_statements(db, small)  # warm the pinned-workflow cache, as a running server has
    assert _page_statements(db, small)[1] == _page_statements(db, large)[1] == 25
    assert _page_statements(db, small)[0] == _page_statements(db, large)[0]


@pytest.mark.parametrize("sort", [None, *SORTS])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_in_any_order_add_up_to_the_whole_filtered_caseload(
    db: Engine, sort: str | None, descending: bool
) -> None:
    coach = bulk_coached_teams(db, 12, NOON)
    filters = CaseloadFilters(flag="stalled")
    with unit_of_work(db, write=False) as session:
        whole = caseload_page(
            session=session,
            team_ids=coach_teams(coach),
            today=TODAY,
            filters=filters,
            sort=sort,
            descending=descending,
        )
        pages = [
            caseload_page(
                session=session,
                team_ids=coach_teams(coach),
                today=TODAY,
                filters=filters,
                sort=sort,
                descending=descending,
                limit=5,
                offset=offset,
            )
            for offset in range(0, 15, 5)
        ]
        everyone = caseload(session=session, team_ids=coach_teams(coach), today=TODAY)
    stalled = [r.team_id for r in everyone if "stalled" in r.flags]
    assert [r.team_id for p in pages for r in p.rows] == [r.team_id for r in whole.rows]
    assert sorted(r.team_id for r in whole.rows) == sorted(stalled)
    assert {p.total for p in pages} == {whole.total} == {len(stalled)}
    assert {p.teams for p in pages} == {12}


def test_worst_first_puts_more_flags_first_then_longer_in_the_stage(db: Engine) -> None:
    coach = bulk_coached_teams(db, 12, NOON)
    with unit_of_work(db, write=False) as session:
        rows = caseload(session=session, team_ids=coach_teams(coach), today=TODAY)
    keys = [(-len(r.flags), -(r.days_in_state or 0), r.team) for r in rows]
    assert keys == sorted(keys)


def test_every_column_of_the_page_is_one_the_caseload_sorts_by() -> None:
    assert [c.key for c in COLUMNS] == list(SORTS)
