"""The program dashboard: exact figures on a small program, and a constant query count."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from factories import (
    action_timeline,
    data_collection,
    impact_assessment,
    new_cycle,
    purpose_map,
    theory_of_action,
)
from sqlalchemy import Engine, insert
from statement_count import recorded_statements

from engine.workflow import MIGRATE, Event
from service.caseload import is_stalled
from service.catalog import get_catalog, pin
from service.enrolment import enrol_school
from service.instances import append_event, fire_trigger, save_artifact, start_cycle
from service.organisation import add_school, add_team, create_program
from service.program_dashboard import (
    CycleCounts,
    Engagement,
    PhaseCount,
    StageCount,
    StalledTeam,
    StateDuration,
    program_dashboard,
    quiet_before,
)
from service.store.database import unit_of_work
from service.store.models import (
    ArtifactRevision,
    Enrolment,
    HistoryEvent,
    School,
    Team,
    WorkflowInstance,
)

TODAY = dt.date(2026, 11, 24)
NOON = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
DAY0 = NOON - dt.timedelta(days=70)


def _at(day: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=day)


class Clocked:
    """One team's cycle driven step by step, each step at a day counted from DAY0."""

    def __init__(self, db: Engine, team_id: int, day: float, condition: str) -> None:
        self.db = db
        with unit_of_work(db) as session:
            cycle = start_cycle(
                session=session,
                team_id=team_id,
                condition=condition,
                reason="Greatest need",
                actor_id=None,
                now=_at(day),
            )
            self.cycle_id = cycle.id or 0

    def save(self, day: float, kind: str, body: dict[str, Any]) -> None:
        with unit_of_work(self.db) as session:
            save_artifact(
                session=session,
                instance_id=self.cycle_id,
                kind=kind,
                data=body,
                author_id=None,
                now=_at(day),
            )

    def fire(self, day: float, trigger: str) -> Any:
        with unit_of_work(self.db) as session:
            return fire_trigger(
                session=session,
                instance_id=self.cycle_id,
                trigger=trigger,
                actor_id=None,
                now=_at(day),
            )

    def to_decide(self, planning: float, launch: float, review: float, concluded: float) -> None:
        self.save(planning, "theory_of_action", theory_of_action())
        self.fire(planning, "start_planning")
        self.save(launch, "purpose_map", purpose_map())
        self.save(launch, "action_timeline", action_timeline())
        self.fire(launch, "launch_test")
        self.save(review, "data_collection", data_collection(_at(launch).date()))
        self.fire(review, "start_review")
        self.save(concluded, "impact_assessment", impact_assessment())
        self.fire(concluded, "conclude_review")


def _school(db: Engine, program_id: int, name: str, teams: int) -> tuple[int, list[int]]:
    with unit_of_work(db) as session:
        school = add_school(
            session=session, program_id=program_id, name=name, code=uuid.uuid4().hex[:8]
        )
        ids = [
            add_team(session=session, school_id=school.id or 0, name=f"{name} team {n}").id or 0
            for n in range(1, teams + 1)
        ]
        return school.id or 0, ids


def _enrol(db: Engine, school_id: int, days_ago: int) -> int:
    with unit_of_work(db) as session:
        return enrol_school(
            session=session,
            school_id=school_id,
            cohort="First",
            started_on=TODAY - dt.timedelta(days=days_ago),
            actor_id=None,
        ).phase_instance_id


def _small_program(db: Engine) -> tuple[int, dict[str, int]]:
    """Four schools, five teams, two decisions; every figure below is worked out by hand."""
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Small program").id or 0
    oak, (revisiting, moved_on, silent) = _school(db, program_id, "Oak", 3)
    elm, (quiet, busy) = _school(db, program_id, "Elm", 2)
    ash, _ = _school(db, program_id, "Ash", 0)
    _school(db, program_id, "Not enrolled", 0)
    _enrol(db, oak, days_ago=400)  # expected implementing, still designing: behind
    _enrol(db, elm, days_ago=30)  # designing, on time
    ash_phases = _enrol(db, ash, days_ago=800)  # expected cultivating, implementing: behind
    with unit_of_work(db) as session:
        fire_trigger(
            session=session,
            instance_id=ash_phases,
            trigger="begin_implementing",
            actor_id=None,
            reason="State decision",
            override=True,
            now=NOON,
        )

    first = Clocked(db, revisiting, 0, "vision-and-strategy")
    first.to_decide(planning=10, launch=30, review=50, concluded=55)
    first.save(60, "decision", {"choice": "revisit", "rationale": "Not yet."})
    first.fire(60, "revisit")  # last active 10 days ago

    second = Clocked(db, moved_on, 0, "vision-and-strategy")
    second.to_decide(planning=20, launch=30, review=40, concluded=41)
    second.save(45, "decision", _move_on_to("shared-influence"))
    second.fire(45, "move_on")  # starts shared-influence in why; last active 25 days ago

    Clocked(db, quiet, 30, "vision-and-strategy")  # started 40 days ago, nothing since
    fifth = Clocked(db, busy, 68, "vision-and-strategy")
    fifth.save(69, "theory_of_action", theory_of_action())
    fifth.fire(69, "start_planning")  # in how, active yesterday
    new_cycle(db)  # another program's team, counted nowhere here
    teams = {"revisiting": revisiting, "moved_on": moved_on, "silent": silent, "quiet": quiet}
    return program_id, teams


def _move_on_to(condition: str) -> dict[str, str]:
    return {"choice": "move_on", "rationale": "It worked.", "next_condition": condition}


def test_the_dashboard_counts_a_small_program_exactly(db: Engine) -> None:
    program_id, teams = _small_program(db)
    with unit_of_work(db, write=False) as session:
        board = program_dashboard(session=session, program_id=program_id, today=TODAY)

    assert board.phases == [
        PhaseCount("designing", 2, 1),
        PhaseCount("implementing", 1, 1),
        PhaseCount("cultivating", 0, 0),
        PhaseCount("sustaining", 0, 0),
    ]
    assert board.conditions_states == [
        StageCount("shared-influence", "why", 1),
        StageCount("vision-and-strategy", "why", 2),
        StageCount("vision-and-strategy", "how", 1),
    ]
    assert board.cycles == CycleCounts(completed=2, revisit=1, move_on=1)
    assert board.median_days == [
        StateDuration("why", 10.0, 3),  # 10, 20 and 1 days
        StateDuration("how", 15.0, 2),  # 20 and 10
        StateDuration("implement", 15.0, 2),  # 20 and 10
        StateDuration("review", 3.0, 2),  # 5 and 1
        StateDuration("decide", 4.5, 2),  # 5 and 4
    ]
    assert board.stalled == [
        StalledTeam(teams["silent"], "Oak team 3", "Oak", None),
        StalledTeam(teams["quiet"], "Elm team 1", "Elm", 40),
        StalledTeam(teams["moved_on"], "Oak team 2", "Oak", 25),
    ]
    assert (board.stalled_total, board.stall_days) == (3, 21)
    assert board.engagement == Engagement(active_teams=3, teams=5, percent=60.0)


@pytest.mark.parametrize("stall_days", [1, 21, 30])
def test_the_databases_cut_off_stalls_exactly_the_teams_the_caseload_rule_does(
    stall_days: int,
) -> None:
    today = dt.date(2026, 3, 15)
    midnight = dt.datetime.combine(today, dt.time(), dt.UTC)
    for hours_ago in range(0, 24 * (stall_days + 2), 5):
        last = midnight + dt.timedelta(hours=23) - dt.timedelta(hours=hours_ago)
        assert (last < quiet_before(today, stall_days)) == is_stalled(last, today, stall_days)


def test_the_stalled_teams_come_a_page_at_a_time(db: Engine) -> None:
    program_id, teams = _small_program(db)
    with unit_of_work(db, write=False) as session:
        board = program_dashboard(
            session=session, program_id=program_id, today=TODAY, stalled_limit=1, stalled_offset=1
        )
    assert [s.team_id for s in board.stalled] == [teams["quiet"]]
    assert board.stalled_total == 3


def test_a_migration_to_a_newer_definition_does_not_end_a_stay(db: Engine) -> None:
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Migrated").id or 0
    _, [team_id] = _school(db, program_id, "Birch", 1)
    cycle = Clocked(db, team_id, 0, "vision-and-strategy")
    with unit_of_work(db) as session:
        moved = Event(MIGRATE, "why", "why", 1, "migrated to v2", {})
        append_event(session, cycle.cycle_id, moved, None, _at(4))
    cycle.save(10, "theory_of_action", theory_of_action())
    cycle.fire(10, "start_planning")
    with unit_of_work(db, write=False) as session:
        board = program_dashboard(session=session, program_id=program_id, today=TODAY)
    assert board.median_days == [StateDuration("why", 10.0, 1)]


def test_stays_are_measured_to_the_hour_and_the_median_is_taken_in_the_database(
    db: Engine,
) -> None:
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Hourly").id or 0
    _, team_ids = _school(db, program_id, "Ash", 4)
    for team_id, hours in zip(team_ids, (6, 36, 40, 300), strict=True):
        cycle = Clocked(db, team_id, 0, "vision-and-strategy")
        cycle.save(hours / 24, "theory_of_action", theory_of_action())
        cycle.fire(hours / 24, "start_planning")
    with unit_of_work(db, write=False) as session:
        board = program_dashboard(session=session, program_id=program_id, today=TODAY)
    # 0.25, 1.5, 1.67 and 12.5 days: the middle two average 1.58.
    assert board.median_days == [StateDuration("why", 1.6, 4)]


def test_an_empty_program_has_zeros_not_errors(db: Engine) -> None:
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Empty").id or 0
    with unit_of_work(db, write=False) as session:
        board = program_dashboard(session=session, program_id=program_id, today=TODAY)
    assert [p.schools for p in board.phases] == [0, 0, 0, 0]
    assert (board.conditions_states, board.median_days, board.stalled) == ([], [], [])
    assert board.cycles == CycleCounts(0, 0, 0)
    assert board.engagement == Engagement(0, 0, 0.0)


def _bulk_program(db: Engine, teams: int) -> int:
    """A program of `teams` teams in schools of ten, inserted in bulk: every school enrolled
    with its phases under way, every team in a cycle with two events and an artifact."""
    catalog = get_catalog()
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Scale").id or 0
        cycle_def = pin(session, catalog.definition("vision-and-strategy")).id
        phases_def = pin(session, catalog.definition("program-phases")).id
        schools = _insert(
            session,
            School,
            [
                {"program_id": program_id, "name": f"S{n}", "code": f"S{n}", "created_at": NOON}
                for n in range(max(1, teams // 10))
            ],
        )
        session.execute(
            insert(Enrolment),
            [
                {"school_id": s, "cohort": "A", "started_on": TODAY, "created_at": NOON}
                for s in schools
            ],
        )
        _insert(
            session,
            WorkflowInstance,
            [_instance(phases_def, "program_phases", "designing", school_id=s) for s in schools],
        )
        team_ids = _insert(
            session,
            Team,
            [
                {"school_id": schools[n % len(schools)], "name": f"T{n}", "created_at": NOON}
                for n in range(teams)
            ],
        )
        cycles = _insert(
            session,
            WorkflowInstance,
            [
                _instance(cycle_def, "cycle", "how", team_id=t, condition="vision-and-strategy")
                for t in team_ids
            ],
        )
        session.execute(
            insert(HistoryEvent),
            [
                {
                    "instance_id": c,
                    "seq": seq,
                    "at": NOON - dt.timedelta(days=days),
                    "trigger": trigger,
                    "from_state": source,
                    "to_state": dest,
                    "iteration": 1,
                    "details": {},
                }
                for c in cycles
                for seq, days, trigger, source, dest in (
                    (1, 30, "start", None, "why"),
                    (2, 25, "start_planning", "why", "how"),
                )
            ],
        )
        session.execute(
            insert(ArtifactRevision),
            [
                {
                    "instance_id": c,
                    "iteration": 1,
                    "kind": "theory_of_action",
                    "item": 1,
                    "revision": 1,
                    "body": theory_of_action(),
                    "created_at": NOON,
                }
                for c in cycles
            ],
        )
        return program_id


def _instance(definition_id: int | None, kind: str, state: str, **where: object) -> dict[str, Any]:
    workflow = "program-phases" if kind == "program_phases" else "vision-and-strategy"
    return {
        "definition_id": definition_id,
        "kind": kind,
        "workflow": workflow,
        "state": state,
        "iteration": 1,
        "version": 1,
        "entered_at": NOON,
        "created_at": NOON,
        **where,
    }


def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    return list(session.execute(insert(model).returning(model.id), rows).scalars().all())


def _statements(db: Engine, program_id: int) -> tuple[int, int]:
    with recorded_statements(db) as seen, unit_of_work(db, write=False) as session:
        board = program_dashboard(session=session, program_id=program_id, today=TODAY)
    return len(seen), board.engagement.teams


def test_the_dashboard_issues_the_same_number_of_queries_for_10_and_1000_teams(
    db: Engine,
) -> None:
    small, large = _bulk_program(db, 10), _bulk_program(db, 1000)
    _statements(db, small)  # warm the pinned-workflow cache, as a running server has
    queries_small, teams_small = _statements(db, small)
    queries_large, teams_large = _statements(db, large)
    assert (teams_small, teams_large) == (10, 1000)
    assert queries_small == queries_large
