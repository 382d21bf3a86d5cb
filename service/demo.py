"""The demo state program: 24 schools with teams spread over every condition and stage.

Everything is created through the same service functions a real team uses, so
the history, revisions and gates in the demo are exactly what the product makes.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

from sqlmodel import Session, select

from engine.errors import GatesUnmet
from service import demo_content as sample
from service.catalog import Catalog, get_catalog
from service.checkins import log_checkin
from service.demo_summary import NEW_TEAM_EMAIL, DemoSummary, summarise
from service.demo_surveys import seed_surveys, waves_around
from service.enrolment import enrol_school
from service.instances import fire_trigger, save_artifact, start_instance
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.security import hash_password
from service.store.models import Program, School, WorkflowInstance, utcnow

DEMO_PROGRAM = "Demo State Collective Leadership Initiative"
DEMO_PASSWORD = "demo-password"
SCHOOL_COUNT = 24
NEW_TEAM_NAME = "Alder new-teacher team"
TARGETS = ("why", "how", "implement", "review", "decide", "moved_on", "revisited")


# How many clock steps onboarding and the walk to each target take (see _onboard, _walk_cycle).
STEPS = {
    "why": 7,
    "how": 10,
    "implement": 11,
    "review": 17,
    "decide": 18,
    "moved_on": 20,
    "revisited": 20,
}
PHASES = ("designing", "implementing", "cultivating", "sustaining")
# How long ago a school in each phase enrolled, so the calendar expects that phase.
ENROLLED_DAYS = {"designing": 120, "implementing": 420, "cultivating": 790, "sustaining": 1150}
# Days since each team's last activity, in turn: half the teams quiet long enough to stall.
QUIET_DAYS = (1, 5, 12, 25, 40, 80)


class _Clock:
    """Walks forward through a team's past in equal steps, so its last step lands on `end`."""

    def __init__(
        self, start: dt.datetime, end: dt.datetime, steps: int, rng: random.Random
    ) -> None:
        self.now = start
        self.end = end
        self.share = (end - start) / max(steps, 1)
        self.rng = rng

    def step(self) -> dt.datetime:
        jitter = dt.timedelta(hours=self.rng.randint(-3, 3))
        self.now = min(self.end, self.now + self.share + jitter)
        return self.now


def _onboard(
    session: Session,
    team_id: int,
    actor: int,
    condition: str | None,
    clock: _Clock,
    catalog: Catalog,
) -> int | None:
    """Walk a team through onboarding; the choice starts its first cycle. Returns the cycle id.

    With no `condition`, the team stops after the overview, taking stock of its school.
    """
    onboarding = start_instance(
        session=session,
        workflow_name="onboarding",
        actor_id=actor,
        reason="New team",
        team_id=team_id,
        catalog=catalog,
        now=clock.now,
    )
    assert onboarding.id is not None
    content = catalog.content

    def save(kind: str, data: dict) -> None:
        save_artifact(
            session=session,
            instance_id=onboarding.id,
            kind=kind,
            data=data,
            author_id=actor,
            catalog=catalog,
            now=clock.step(),
        )

    def fire(trigger: str) -> int | None:
        return fire_trigger(
            session=session,
            instance_id=onboarding.id,
            trigger=trigger,
            actor_id=actor,
            catalog=catalog,
            now=clock.step(),
        ).next_cycle_id

    save(
        "playbook_overview",
        {
            "reviewed_on": clock.now.date().isoformat(),
            "attendees": ["Principal", "Two grade leads", "Counsellor"],
            "takeaways": "We want to start small and measure honestly.",
        },
    )
    fire("finish_overview")
    if condition is None:
        return None
    ratings = [
        {
            "condition": slug,
            "dimension": guide.rubric.dimensions[0].name,
            "level": ("beginning", "developing", "established")[(guide.order + team_id) % 3],
            "evidence": "Discussed at our team meeting with examples from this term.",
        }
        for slug, guide in content.conditions.items()
    ]
    save("self_assessment", {"ratings": ratings})
    fire("finish_self_assessment")
    save(
        "condition_choice",
        {
            "condition": condition,
            "basis": "greatest_need",
            "reason": "It scored lowest on our self-assessment.",
        },
    )
    cycle_id = fire("choose_condition")
    assert cycle_id is not None
    return cycle_id


def _walk_cycle(
    session: Session,
    cycle_id: int,
    target: str,
    actor: int,
    clock: _Clock,
    catalog: Catalog,
    next_condition: str,
) -> None:
    """Drive a cycle from `why` to its target stage with realistic artifacts on the way."""
    condition = session.get(WorkflowInstance, cycle_id).condition  # type: ignore[union-attr]
    title = catalog.content.conditions[condition or ""].title

    def save(kind: str, data: dict) -> None:
        save_artifact(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            data=data,
            author_id=actor,
            catalog=catalog,
            now=clock.step(),
        )

    def fire(trigger: str) -> None:
        fire_trigger(
            session=session,
            instance_id=cycle_id,
            trigger=trigger,
            actor_id=actor,
            catalog=catalog,
            now=clock.step(),
        )

    steps = TARGETS.index(target)
    save("theory_of_action", sample.theory_of_action(title))
    if steps >= 1:
        fire("start_planning")
        save("purpose_map", sample.purpose_map())
        save("action_timeline", sample.action_timeline(clock.now.date()))
    if steps >= 2:
        fire("launch_test")
    if steps >= 3:
        save("data_collection", sample.data_collection(clock.step().date(), "feedback"))
        save("data_collection", sample.data_collection(clock.step().date(), "observation"))
        fire("start_review")
        save("impact_assessment", sample.impact_assessment())
    if steps >= 4:
        fire("conclude_review")
    if target == "moved_on":
        save("decision", sample.decision("move_on", next_condition))
        fire("move_on")
    elif target == "revisited":
        save("decision", sample.decision("revisit", None))
        fire("revisit")


def _advance_phases(
    session: Session,
    phase_id: int,
    target: str,
    admin: int,
    clock_now: dt.datetime,
    catalog: Catalog,
) -> None:
    steps = {
        "designing": [],
        "implementing": ["begin_implementing"],
        "cultivating": ["begin_implementing", "begin_cultivating"],
        "sustaining": ["begin_implementing", "begin_cultivating", "begin_sustaining"],
    }[target]
    advance = partial(
        fire_trigger,
        session=session,
        instance_id=phase_id,
        actor_id=admin,
        catalog=catalog,
        now=clock_now,
    )
    for trigger in steps:
        try:
            advance(trigger=trigger, reason="The school met this year's milestones.")
        except GatesUnmet:
            advance(
                trigger=trigger,
                reason="Joined from the pilot cohort, already past this year's work.",
                override=True,
            )


def _check_in(session: Session, team_id: int, coach_id: int, today: dt.date, n: int) -> None:
    """A third of the teams were seen this month, a third last month, a third not yet."""
    if n % 3 == 2:
        return
    this_month = today.replace(day=max(1, today.day - 3))
    held_on = this_month if n % 3 == 0 else this_month.replace(day=1) - dt.timedelta(days=10)
    log_checkin(
        session=session,
        team_id=team_id,
        author_id=coach_id,
        held_on=held_on,
        mode="virtual" if n % 2 else "in_person",
        notes="Looked at where the team is stuck and what the data says so far.",
        next_steps="Finish the current artifact before the next meeting.",
        attendees=["Principal", "Team lead"],
        today=today,
    )


def seed_demo(session: Session, *, catalog: Catalog | None = None, seed: int = 7) -> DemoSummary:
    """Create the demo program unless it already exists; either way, summarise it."""
    catalog = catalog or get_catalog()
    existing = session.exec(select(Program).where(Program.name == DEMO_PROGRAM)).first()
    if existing is not None:
        return summarise(session, existing.id or 0, created=False)
    rng = random.Random(seed)
    program = create_program(session=session, name=DEMO_PROGRAM)
    assert program.id is not None
    # One hash for every demo account: they share the published demo password anyway.
    password_hash = hash_password(DEMO_PASSWORD)
    admin = create_person(
        session=session, email="admin@demo.example", name="Pat Morgan", password_hash=password_hash
    )
    coaches = [
        create_person(
            session=session, email=f"coach{n}@demo.example", name=name, password_hash=password_hash
        )
        for n, name in ((1, "Rae Okafor"), (2, "Sam Lindqvist"))
    ]
    add_program_admin(session=session, program_id=program.id, person_id=admin.id or 0)
    slugs = catalog.content.condition_slugs
    today = utcnow().replace(hour=15, minute=0, second=0, microsecond=0)
    for n in range(SCHOOL_COUNT):
        school = add_school(
            session=session,
            program_id=program.id,
            name=f"{_SCHOOL_NAMES[n]} School",
            code=f"S{n + 1:02d}",
        )
        team = add_team(
            session=session, school_id=school.id or 0, name=f"{_SCHOOL_NAMES[n]} leadership team"
        )
        member = create_person(
            session=session,
            email=f"team{n + 1:02d}@demo.example",
            name=f"{_SCHOOL_NAMES[n]} team lead",
            password_hash=password_hash,
        )
        assert team.id is not None and member.id is not None
        add_to_team(session=session, team_id=team.id, person_id=member.id, role="member")
        add_to_team(
            session=session, team_id=team.id, person_id=coaches[n % 2].id or 0, role="coach"
        )
        condition = slugs[n % len(slugs)]
        target = TARGETS[(n + n // len(slugs)) % len(TARGETS)]
        end = today - dt.timedelta(days=QUIET_DAYS[n % len(QUIET_DAYS)], hours=rng.randint(0, 5))
        start = end - dt.timedelta(days=rng.randint(60, 240))
        clock = _Clock(start, end, STEPS[target], rng)
        phase_target = PHASES[n % len(PHASES)]
        # A school a year behind its calendar now and then, so the program sees who lags.
        days_enrolled = ENROLLED_DAYS[phase_target] + (365 if n % 6 == 4 else 0)
        enrolled_at = today - dt.timedelta(days=days_enrolled)
        enrolled = enrol_school(
            session=session,
            school_id=school.id or 0,
            cohort=f"{enrolled_at.year} cohort",
            started_on=enrolled_at.date(),
            actor_id=admin.id,
            catalog=catalog,
            now=enrolled_at,
        )
        cycle_id = _onboard(session, team.id, member.id, condition, clock, catalog)
        assert cycle_id is not None
        _walk_cycle(
            session,
            cycle_id,
            target,
            member.id,
            clock,
            catalog,
            next_condition=slugs[(n + 3) % len(slugs)],
        )
        _advance_phases(
            session, enrolled.phase_instance_id, phase_target, admin.id or 0, clock.now, catalog
        )
        _check_in(session, team.id, coaches[n % 2].id or 0, today.date(), n)
    _new_team(session, password_hash, catalog, today, rng)
    schools = list(session.exec(select(School).where(School.program_id == program.id)).all())
    seed_surveys(session, program_id=program.id, schools=schools, waves=waves_around(today.date()))
    return summarise(session, program.id, created=True)


def _new_team(
    session: Session,
    password_hash: str,
    catalog: Catalog,
    today: dt.datetime,
    rng: random.Random,
) -> None:
    """A second team at the first school, formed last week: it is taking stock of the school."""
    school = session.exec(select(School).where(School.code == "S01")).one()
    team = add_team(session=session, school_id=school.id or 0, name=NEW_TEAM_NAME)
    member = create_person(
        session=session, email=NEW_TEAM_EMAIL, name="New team lead", password_hash=password_hash
    )
    assert team.id is not None and member.id is not None
    add_to_team(session=session, team_id=team.id, person_id=member.id, role="member")
    # Onboarding to the self-assessment takes 2 steps (the overview saved, then finished).
    clock = _Clock(today - dt.timedelta(days=7), today - dt.timedelta(days=2), 2, rng)
    _onboard(session, team.id, member.id, None, clock, catalog)


_SCHOOL_NAMES = (
    "Alder",
    "Birchwood",
    "Cedar Hill",
    "Dunmore",
    "Elm Street",
    "Fairview",
    "Glenbrook",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Kingsley",
    "Lakeside",
    "Maple Grove",
    "Northgate",
    "Oakridge",
    "Pinecrest",
    "Quarry Road",
    "Riverside",
    "Stonebridge",
    "Thornton",
    "Union",
    "Valley View",
    "Westfield",
    "Yarrow",
)
