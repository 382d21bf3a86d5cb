"""Coach feedback in the database: threads, sign-offs tied to revisions, program settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from factories import (
    action_timeline,
    fire,
    purpose_map,
    save,
    theory_of_action,
)
from sqlalchemy import Engine, event

from engine.errors import GatesUnmet, UnknownArtifact
from engine.facts import InstanceState
from service.catalog import get_catalog
from service.errors import InvalidRequest, NotFound
from service.feedback import (
    SignOffView,
    comment,
    set_signoff_triggers,
    sign_off,
    signable_triggers,
    signoffs,
    thread,
    update_program_settings,
)
from service.instances import start_cycle, workflow_of
from service.organisation import add_school, add_team, create_person, create_program
from service.queries import gather_facts, get_instance
from service.store.database import unit_of_work
from service.store.models import Program


@dataclass(frozen=True)
class Cycle:
    """A cycle in `how` with both plans written once, in a program of its own."""

    id: int
    program_id: int


def person(db: Engine, name: str = "Coach Carter") -> int:
    with unit_of_work(db) as session:
        email = f"{uuid.uuid4().hex[:12]}@example.org"
        return create_person(session=session, email=email, name=name).id or 0


def cycle_in_how(db: Engine, *, signoff_on: Iterable[str] = ("launch_test",)) -> Cycle:
    """Both plans written once; only then does the program ask a sign-off on `signoff_on`."""
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Feedback program")
        school = add_school(
            session=session, program_id=program.id or 0, name="School", code=uuid.uuid4().hex[:8]
        )
        team = add_team(session=session, school_id=school.id or 0, name="Team")
        cycle = start_cycle(
            session=session,
            team_id=team.id or 0,
            condition="vision-and-strategy",
            reason="Greatest need",
            actor_id=None,
        )
        found = Cycle(cycle.id or 0, program.id or 0)
    save(db, found.id, "theory_of_action", theory_of_action())
    fire(db, found.id, "start_planning")
    save(db, found.id, "purpose_map", purpose_map())
    save(db, found.id, "action_timeline", action_timeline())
    with unit_of_work(db) as session:
        set_signoff_triggers(session=session, program_id=found.program_id, triggers=signoff_on)
    return found


def revised_map(vision: str) -> dict[str, Any]:
    return {**purpose_map(), "vision": vision}


def approve(db: Engine, cycle_id: int, kind: str, revision: int, **kwargs: Any) -> Any:
    kwargs.setdefault("trigger", "launch_test")
    kwargs.setdefault("coach_id", person(db))
    with unit_of_work(db) as session:
        return sign_off(
            session=session, instance_id=cycle_id, kind=kind, revision=revision, **kwargs
        )


def remark(db: Engine, cycle_id: int, kind: str, revision: int, **kwargs: Any) -> int:
    kwargs.setdefault("body", "Who else should be in the room?")
    kwargs.setdefault("author_id", person(db))
    with unit_of_work(db) as session:
        return comment(
            session=session, instance_id=cycle_id, kind=kind, revision=revision, **kwargs
        ).id


def unmet_signoffs(db: Engine, cycle_id: int) -> list[str]:
    with unit_of_work(db, write=False) as session:
        instance = get_instance(session=session, instance_id=cycle_id)
        workflow = workflow_of(session, instance, get_catalog())
        facts = gather_facts(session=session, instance=instance, workflow=workflow)
        state = InstanceState(instance.state, instance.iteration)
        return [u.reason for u in workflow.unmet("launch_test", state, facts)]


def signoffs_of(db: Engine, cycle_id: int) -> list[SignOffView]:
    with unit_of_work(db, write=False) as session:
        return signoffs(session=session, instance_id=cycle_id)


# Sign-offs


def test_launch_waits_for_a_coach_to_sign_off_both_current_revisions(db: Engine) -> None:
    cycle = cycle_in_how(db)
    with pytest.raises(GatesUnmet) as refused:
        fire(db, cycle.id, "launch_test")
    assert [u.gate for u in refused.value.unmet] == [
        "coach_signoff: purpose_map",
        "coach_signoff: action_timeline",
    ]

    approve(db, cycle.id, "purpose_map", 1)
    approve(db, cycle.id, "action_timeline", 1)

    assert fire(db, cycle.id, "launch_test").instance.state == "implement"


def test_an_edit_after_the_signoff_needs_a_fresh_one(db: Engine) -> None:
    cycle = cycle_in_how(db)
    approve(db, cycle.id, "purpose_map", 1)
    approve(db, cycle.id, "action_timeline", 1)
    save(db, cycle.id, "purpose_map", revised_map("Sharper."))

    assert unmet_signoffs(db, cycle.id) == [
        "A coach must sign off the purpose map as it stands now (revision 2); "
        "the last sign-off was on revision 1."
    ]
    listed = {(s.kind, s.revision): s.current for s in signoffs_of(db, cycle.id)}
    assert listed == {("purpose_map", 1): False, ("action_timeline", 1): True}


def test_a_program_that_asks_for_no_signoff_launches_without_one(db: Engine) -> None:
    cycle = cycle_in_how(db, signoff_on=())

    assert fire(db, cycle.id, "launch_test").instance.state == "implement"


def test_a_signoff_names_the_current_revision_and_nothing_older(db: Engine) -> None:
    cycle = cycle_in_how(db)
    save(db, cycle.id, "purpose_map", revised_map("Sharper."))

    with pytest.raises(InvalidRequest, match="no longer current"):
        approve(db, cycle.id, "purpose_map", 1)
    with pytest.raises(NotFound, match="purpose_map revision 3"):
        approve(db, cycle.id, "purpose_map", 3)
    assert approve(db, cycle.id, "purpose_map", 2).revision == 2


def test_the_same_revision_cannot_be_signed_off_twice_for_a_trigger(db: Engine) -> None:
    cycle = cycle_in_how(db)
    approve(db, cycle.id, "purpose_map", 1)

    with pytest.raises(InvalidRequest, match="already signed off for launch_test"):
        approve(db, cycle.id, "purpose_map", 1)


@pytest.mark.parametrize(
    ("kind", "trigger", "refusal"),
    [
        ("purpose_map", "start_planning", "asks for a sign-off of theory_of_action"),
        ("theory_of_action", "launch_test", "not theory_of_action"),
        ("purpose_map", "step_back", "needs no coach's sign-off"),
        ("purpose_map", "take_off", "not a trigger of this cycle"),
    ],
)
def test_a_signoff_must_be_for_a_document_its_trigger_asks_for(
    db: Engine, kind: str, trigger: str, refusal: str
) -> None:
    cycle = cycle_in_how(db, signoff_on=("launch_test", "start_planning"))

    with pytest.raises(InvalidRequest, match=refusal):
        approve(db, cycle.id, kind, 1, trigger=trigger)


def test_no_signoff_is_taken_for_a_trigger_the_program_does_not_name(db: Engine) -> None:
    cycle = cycle_in_how(db, signoff_on=("conclude_review",))

    with pytest.raises(InvalidRequest, match="launch_test needs no coach's sign-off"):
        approve(db, cycle.id, "purpose_map", 1)


def test_facts_are_gathered_in_the_same_number_of_queries_however_much_is_signed(
    db: Engine,
) -> None:
    quiet, busy = cycle_in_how(db), cycle_in_how(db)
    for n in range(3):
        save(db, busy.id, "purpose_map", revised_map(f"Draft {n}."))
        approve(db, busy.id, "purpose_map", n + 2)

    counts = [_statements_for_facts(db, c.id) for c in (quiet, busy, quiet)]

    assert counts[0] == counts[1] == counts[2]


def _statements_for_facts(db: Engine, cycle_id: int) -> int:
    with unit_of_work(db, write=False) as session:
        instance = get_instance(session=session, instance_id=cycle_id)
        workflow = workflow_of(session, instance, get_catalog())
        seen: list[object] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db, "before_cursor_execute", listener)
        try:
            facts = gather_facts(session=session, instance=instance, workflow=workflow)
        finally:
            event.remove(db, "before_cursor_execute", listener)
    assert facts.signoff_triggers == frozenset({"launch_test"})
    return len(seen)


# Comments


def test_a_thread_gathers_every_revision_with_replies_oldest_first(db: Engine) -> None:
    cycle = cycle_in_how(db)
    coach, member = person(db, "Coach Carter"), person(db, "Member Mae")
    first = remark(db, cycle.id, "purpose_map", 1, body="Name the grade teams.", author_id=coach)
    save(db, cycle.id, "purpose_map", revised_map("Named."))
    remark(db, cycle.id, "purpose_map", 2, body="Done.", author_id=member, parent_id=first)
    remark(db, cycle.id, "action_timeline", 1, author_id=coach)

    with unit_of_work(db, write=False) as session:
        found = thread(session=session, instance_id=cycle.id, kind="purpose_map")

    assert [(c.revision, c.author, c.body, c.parent_id) for c in found] == [
        (1, "Coach Carter", "Name the grade teams.", None),
        (2, "Member Mae", "Done.", first),
    ]


def test_a_reply_must_stay_in_its_artifacts_thread(db: Engine) -> None:
    cycle, other = cycle_in_how(db), cycle_in_how(db)
    on_timeline = remark(db, cycle.id, "action_timeline", 1)
    elsewhere = remark(db, other.id, "purpose_map", 1)

    for parent in (on_timeline, elsewhere, 2**31 - 1):
        with pytest.raises(InvalidRequest, match="not in this cycle's purpose_map thread"):
            remark(db, cycle.id, "purpose_map", 1, parent_id=parent)


def test_a_comment_names_a_revision_that_exists_and_says_something(db: Engine) -> None:
    cycle = cycle_in_how(db)

    with pytest.raises(NotFound, match="purpose_map revision 2"):
        remark(db, cycle.id, "purpose_map", 2)
    with pytest.raises(NotFound, match="impact_assessment revision 1"):
        remark(db, cycle.id, "impact_assessment", 1)
    with pytest.raises(UnknownArtifact):
        remark(db, cycle.id, "lesson_plan", 1)
    with pytest.raises(InvalidRequest, match="set of records"):
        remark(db, cycle.id, "data_collection", 1)
    with pytest.raises(InvalidRequest, match="blank"):
        remark(db, cycle.id, "purpose_map", 1, body="  ")


# Program settings


def test_only_triggers_that_gate_a_document_can_need_a_signoff() -> None:
    assert signable_triggers() == ["start_planning", "launch_test", "conclude_review"]


@pytest.mark.parametrize("trigger", ["take_off", "step_back", "finish_overview"])
def test_a_program_cannot_ask_a_signoff_for_another_trigger(db: Engine, trigger: str) -> None:
    cycle = cycle_in_how(db, signoff_on=())

    with unit_of_work(db) as session, pytest.raises(InvalidRequest, match=trigger):
        set_signoff_triggers(session=session, program_id=cycle.program_id, triggers=[trigger])


def test_settings_keep_each_trigger_once_and_bound_the_stall_days(db: Engine) -> None:
    cycle = cycle_in_how(db, signoff_on=())
    with unit_of_work(db) as session:
        update_program_settings(
            session=session,
            program_id=cycle.program_id,
            stall_days=14,
            signoff_triggers=["launch_test", "launch_test"],
        )
    with unit_of_work(db, write=False) as session:
        program = session.get_one(Program, cycle.program_id)
        assert (program.stall_days, program.signoff_triggers) == (14, ["launch_test"])
    with unit_of_work(db) as session, pytest.raises(InvalidRequest, match="between 1 and 365"):
        update_program_settings(
            session=session, program_id=cycle.program_id, stall_days=0, signoff_triggers=[]
        )
    with unit_of_work(db) as session, pytest.raises(NotFound, match="program"):
        set_signoff_triggers(session=session, program_id=2**31 - 1, triggers=[])
