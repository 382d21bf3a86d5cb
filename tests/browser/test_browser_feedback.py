"""A coach comments and signs off; a member replies and takes the step it held back, in Chromium."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from browser_factories import (
    PASSWORD,
    LiveServer,
    new_cycle,
    new_member,
    write_theory_of_action,
)
from browser_steps import artifact, expect_stage, screenshot, trigger
from factories import action_timeline, purpose_map
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from service.feedback import set_signoff_triggers
from service.instances import fire_trigger, save_artifact
from service.organisation import add_to_team, create_person
from service.security import hash_password
from service.store.database import unit_of_work
from service.store.models import School, Team

pytestmark = pytest.mark.browser

_PASSWORD_HASH = hash_password(PASSWORD)


@dataclass(frozen=True)
class CoachedTeam:
    team_id: int
    member: str
    coach: str


def coached_team_in_how(db: Engine) -> CoachedTeam:
    """A team, its member and its coach, in a program that wants launch_test signed off.

    The team's cycle stands in `how` with both plans written once.
    """
    member = new_member(db)
    coach = f"{uuid.uuid4().hex[:12]}@coach.example"
    with unit_of_work(db) as session:
        person = create_person(
            session=session, email=coach, name="Chris Coach", password_hash=_PASSWORD_HASH
        )
        add_to_team(session=session, team_id=member.team_id, person_id=person.id or 0, role="coach")
        school = session.get_one(School, session.get_one(Team, member.team_id).school_id)
        set_signoff_triggers(
            session=session, program_id=school.program_id, triggers=["launch_test"]
        )
    cycle_id = new_cycle(db, member.team_id)
    write_theory_of_action(db, cycle_id)
    with unit_of_work(db) as session:
        fire_trigger(session=session, instance_id=cycle_id, trigger="start_planning", actor_id=None)
        for kind, data in (("purpose_map", purpose_map()), ("action_timeline", action_timeline())):
            save_artifact(
                session=session, instance_id=cycle_id, kind=kind, data=data, author_id=None
            )
    return CoachedTeam(member.team_id, member.email, coach)


def sign_in_to_team(page: Page, email: str, team_id: int) -> None:
    """Sign in through the form, then open the team's page."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"/teams/{team_id}")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_a_coach_comments_and_signs_off_and_the_member_replies_and_launches(
    page: Page, live_server: LiveServer
) -> None:
    team = coached_team_in_how(live_server.db)
    status = page.get_by_role("status")

    sign_in_to_team(page, team.member, team.team_id)
    expect(trigger(page, "Launch test")).to_be_disabled()
    expect(page.locator("#blocked-launch_test")).to_contain_text(
        "A coach must sign off the purpose map as it stands now (revision 1)"
    )
    expect(artifact(page, "Purpose map")).to_contain_text(
        "Launch test waits for a coach to sign off revision 1 of the purpose map."
    )
    expect(page.get_by_role("button", name="Sign off revision 1")).to_have_count(0)
    sign_out(page)

    sign_in_to_team(page, team.coach, team.team_id)
    plan = artifact(page, "Purpose map")
    plan.get_by_label("Comment on revision 1").fill(
        "Three groups is a good start.\nWho leads each?"
    )
    plan.get_by_role("button", name="Add the comment").click()
    expect(status).to_have_text("Your comment on revision 1 of the purpose map was added.")
    for title in ("Purpose map", "Action timeline"):
        button = artifact(page, title).get_by_role("button", name="Sign off revision 1")
        expect(button).to_have_accessible_description(
            f"Launch test waits for a coach to sign off the {title.lower()} as it stands now."
        )
        button.click()
        expect(status).to_have_text(f"Signed off revision 1 of the {title.lower()}.")
        expect(artifact(page, title).locator(".signed-off")).to_contain_text(
            "Signed off by Chris Coach (revision 1)"
        )
    screenshot(page, "feedback-coach-signed-off")
    sign_out(page)

    sign_in_to_team(page, team.member, team.team_id)
    expect(page.locator("#blocked-launch_test")).to_have_count(0)
    plan = artifact(page, "Purpose map")
    expect(plan.locator(".signed-off")).to_contain_text("Signed off by Chris Coach (revision 1)")
    plan.get_by_text("Reply to Chris Coach").click()
    plan.get_by_label("Your reply").fill("Each group has a lead; we will name them Monday.")
    plan.get_by_role("button", name="Reply", exact=True).click()
    expect(status).to_have_text("Your reply on revision 1 of the purpose map was added.")
    reply = artifact(page, "Purpose map").locator(".thread .replies .comment")
    expect(reply).to_contain_text("Ana Reyes")
    expect(reply).to_contain_text("Each group has a lead")
    screenshot(page, "feedback-member-replied")

    trigger(page, "Launch test").click()
    expect(status).to_contain_text("Done: the cycle is now in")
    expect_stage(page, "Implement")
