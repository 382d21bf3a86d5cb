"""Shared learning: which passes count as finished, what is shared, and a constant query count."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from factories import fire, save, theory_of_action, walk_to_decide
from sqlalchemy import Engine, event

from service.errors import InvalidRequest, NotFound
from service.instances import start_cycle, start_instance
from service.organisation import add_school, add_team, create_person, create_program
from service.sharing import (
    AlreadyShared,
    Passes,
    SharedPage,
    latest_finished_pass,
    share_cycle,
    shared_cycles,
    unshare_cycle,
)
from service.store.database import unit_of_work

REVISIT = {"choice": "revisit", "rationale": "Half the staff joined in; try a second period."}


def _passes(concluded: set[int], decided: set[int], acted_on: set[int]) -> Passes:
    return Passes(frozenset(concluded), frozenset(acted_on), frozenset(decided))


@pytest.mark.parametrize(
    ("state", "iteration", "passes", "finished"),
    [
        ("implement", 1, _passes(set(), set(), set()), None),
        ("decide", 1, _passes({1}, set(), set()), None),
        ("decide", 1, _passes({1}, {1}, set()), 1),
        ("review", 1, _passes({1}, {1}, set()), None),
        ("closed", 1, _passes({1}, {1}, {1}), 1),
        ("why", 2, _passes({1}, {1}, {1}), 1),
        ("decide", 2, _passes({1, 2}, {1, 2}, {1}), 2),
        ("review", 2, _passes({1, 2}, {1, 2}, {1}), 1),
    ],
    ids=[
        "under-way",
        "deciding-without-a-decision",
        "standing-in-decide-with-a-decision",
        "stepped-back-out-of-decide",
        "closed",
        "revisited",
        "second-pass-decided",
        "second-pass-reopened",
    ],
)
def test_a_pass_is_finished_when_its_review_is_concluded_and_its_decision_stands(
    state: str, iteration: int, passes: Passes, finished: int | None
) -> None:
    assert latest_finished_pass(state, iteration, passes) == finished


def _program(db: Engine) -> tuple[int, int, int]:
    """A program with one school, and a person to share with: (program, school, person)."""
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Sharing program")
        school = add_school(
            session=session, program_id=program.id or 0, name="School", code=uuid.uuid4().hex[:8]
        )
        person = create_person(session=session, email=f"{uuid.uuid4().hex}@s.org", name="Sharer")
        return program.id or 0, school.id or 0, person.id or 0


def _cycle(db: Engine, school_id: int, condition: str = "vision-and-strategy") -> int:
    """A new team's cycle on `condition`, in `why`."""
    with unit_of_work(db) as session:
        team = add_team(session=session, school_id=school_id, name=f"Team {uuid.uuid4().hex[:6]}")
        cycle = start_cycle(
            session=session,
            team_id=team.id or 0,
            condition=condition,
            reason="Greatest need",
            actor_id=None,
        )
        return cycle.id or 0


def _decided(db: Engine, school_id: int, condition: str = "vision-and-strategy") -> int:
    """A cycle standing in `decide` with a complete decision to revisit."""
    cycle = _cycle(db, school_id, condition)
    walk_to_decide(db, cycle)
    save(db, cycle, "decision", REVISIT)
    return cycle


def _share(db: Engine, cycle_id: int, person_id: int) -> Any:
    with unit_of_work(db) as session:
        return share_cycle(session=session, instance_id=cycle_id, shared_by=person_id)


def _list(db: Engine, program_id: int, **kwargs: Any) -> SharedPage:
    kwargs.setdefault("limit", 50)
    kwargs.setdefault("offset", 0)
    with unit_of_work(db, write=False) as session:
        return shared_cycles(session=session, program_id=program_id, **kwargs)


def test_sharing_is_refused_until_the_review_is_concluded(db: Engine) -> None:
    _, school, person = _program(db)
    cycle = _cycle(db, school)
    with pytest.raises(
        InvalidRequest, match="review has not been concluded yet \\(it is in why\\)"
    ):
        _share(db, cycle, person)


def test_sharing_is_refused_in_decide_until_the_decision_is_complete(db: Engine) -> None:
    _, school, person = _program(db)
    cycle = _cycle(db, school)
    walk_to_decide(db, cycle)
    save(db, cycle, "decision", {"choice": "revisit"})
    with pytest.raises(InvalidRequest, match="decision is not complete yet"):
        _share(db, cycle, person)


def test_sharing_is_refused_once_the_review_is_reopened(db: Engine) -> None:
    _, school, person = _program(db)
    cycle = _decided(db, school)
    fire(db, cycle, "step_back", reason="The minutes were incomplete.")
    with pytest.raises(InvalidRequest, match="reopened before a decision was acted on"):
        _share(db, cycle, person)


def test_an_onboarding_run_cannot_be_shared(db: Engine) -> None:
    _, school, person = _program(db)
    with unit_of_work(db) as session:
        team = add_team(session=session, school_id=school, name="Onboarding team")
        onboarding = start_instance(
            session=session,
            workflow_name="onboarding",
            actor_id=None,
            reason=None,
            team_id=team.id,
        )
    with pytest.raises(InvalidRequest, match="only a condition cycle can be shared"):
        _share(db, onboarding.id or 0, person)


def test_a_decided_cycle_is_shared_with_its_three_documents(db: Engine) -> None:
    program, school, person = _program(db)
    cycle = _decided(db, school)
    row = _share(db, cycle, person)
    assert (row.cycle_id, row.iteration, row.shared_by) == (cycle, 1, "Sharer")
    assert row.theory_of_action == theory_of_action()
    assert row.impact_assessment is not None
    assert row.impact_assessment["goal_progress"] == "met"
    assert row.decision == {**REVISIT, "next_condition": None}
    assert _list(db, program).rows == [row]


def test_a_cycle_is_shared_once(db: Engine) -> None:
    _, school, person = _program(db)
    cycle = _decided(db, school)
    _share(db, cycle, person)
    with pytest.raises(AlreadyShared, match="already shared"):
        _share(db, cycle, person)


def test_a_revisited_cycle_shows_the_pass_it_revisited_from(db: Engine) -> None:
    program, school, person = _program(db)
    cycle = _decided(db, school)
    fire(db, cycle, "revisit")
    save(db, cycle, "theory_of_action", {**theory_of_action(), "goal": "A second try."})
    row = _share(db, cycle, person)
    assert row.iteration == 1
    assert row.theory_of_action == theory_of_action()
    assert _list(db, program).rows[0].theory_of_action == theory_of_action()


def test_a_closed_cycle_can_be_shared(db: Engine) -> None:
    _, school, person = _program(db)
    cycle = _cycle(db, school)
    walk_to_decide(db, cycle)
    move_on = {"choice": "move_on", "rationale": "Done.", "next_condition": "shared-influence"}
    save(db, cycle, "decision", move_on)
    fire(db, cycle, "move_on")
    row = _share(db, cycle, person)
    assert (row.iteration, row.decision) == (1, move_on)


def test_a_shared_cycle_that_reopens_its_only_review_drops_out_until_it_decides_again(
    db: Engine,
) -> None:
    program, school, person = _program(db)
    cycle = _decided(db, school)
    _share(db, cycle, person)
    fire(db, cycle, "step_back", reason="The minutes were incomplete.")
    assert _list(db, program) == SharedPage(total=0, rows=[])
    fire(db, cycle, "conclude_review")
    assert [r.cycle_id for r in _list(db, program).rows] == [cycle]


def test_unsharing_takes_the_cycle_out_and_cannot_be_done_twice(db: Engine) -> None:
    program, school, person = _program(db)
    cycle = _decided(db, school)
    _share(db, cycle, person)
    with unit_of_work(db) as session:
        unshare_cycle(session=session, instance_id=cycle)
    assert _list(db, program).total == 0
    with pytest.raises(NotFound, match=f"shared cycle {cycle} not found"), unit_of_work(db) as s:
        unshare_cycle(session=s, instance_id=cycle)


def test_the_list_filters_by_condition_and_pages_newest_first(db: Engine) -> None:
    program, school, person = _program(db)
    cycles = [
        _decided(db, school, condition)
        for condition in ("vision-and-strategy", "shared-influence", "vision-and-strategy")
    ]
    for cycle in cycles:
        _share(db, cycle, person)
    vision = _list(db, program, condition="vision-and-strategy")
    assert (vision.total, [r.cycle_id for r in vision.rows]) == (2, [cycles[2], cycles[0]])
    first, second = _list(db, program, limit=2, offset=0), _list(db, program, limit=2, offset=2)
    assert (first.total, second.total) == (3, 3)
    assert [r.cycle_id for r in first.rows + second.rows] == cycles[::-1]
    with pytest.raises(InvalidRequest, match="unknown condition 'no-such-thing'"):
        _list(db, program, condition="no-such-thing")


def test_another_programs_shared_cycles_are_not_listed(db: Engine) -> None:
    program, _, person = _program(db)
    other_program, other_school, _ = _program(db)
    _share(db, _decided(db, other_school), person)
    assert _list(db, program).total == 0
    assert _list(db, other_program).total == 1


def _statements(db: Engine, program_id: int) -> tuple[int, int]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db, "before_cursor_execute", count)
    try:
        rows = _list(db, program_id).rows
    finally:
        event.remove(db, "before_cursor_execute", count)
    return len(seen), len(rows)


def test_the_list_issues_the_same_number_of_queries_for_1_and_8_shared_cycles(
    db: Engine,
) -> None:
    small, large = _program(db), _program(db)
    for (_, school, person), count in ((small, 1), (large, 8)):
        for _ in range(count):
            _share(db, _decided(db, school), person)
    _statements(db, small[0])  # warm the pinned-workflow cache, as a running server has
    assert _statements(db, small[0])[1] == 1
    queries_small, _ = _statements(db, small[0])
    queries_large, rows = _statements(db, large[0])
    assert rows == 8
    assert queries_small == queries_large
