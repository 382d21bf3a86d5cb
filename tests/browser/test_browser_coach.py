"""A coach finds a stalled team on the caseload and logs a check-in with it, in Chromium."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from browser_factories import PASSWORD, LiveServer
from browser_steps import screenshot
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine

from service.instances import start_cycle
from service.organisation import add_school, add_team, add_to_team, create_person, create_program
from service.security import hash_password
from service.store.database import unit_of_work

pytestmark = pytest.mark.browser

_PASSWORD_HASH = hash_password(PASSWORD)


@dataclass(frozen=True)
class Coach:
    email: str
    teams: dict[str, int]


def new_caseload(db: Engine, teams: dict[str, tuple[str, int]]) -> Coach:
    """A coach of one team per name, each with a cycle on a condition started days ago."""
    now = dt.datetime.now(dt.UTC)
    email = f"{uuid.uuid4().hex[:12]}@coach.example"
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Browser coaching program")
        school = add_school(
            session=session,
            program_id=program.id or 0,
            name="Maple Middle School",
            code=uuid.uuid4().hex[:8],
        )
        coach = create_person(
            session=session, email=email, name="Chris Coach", password_hash=_PASSWORD_HASH
        )
        ids = {}
        for name, (condition, days) in teams.items():
            team = add_team(session=session, school_id=school.id or 0, name=name)
            add_to_team(
                session=session, team_id=team.id or 0, person_id=coach.id or 0, role="coach"
            )
            start_cycle(
                session=session,
                team_id=team.id or 0,
                condition=condition,
                reason="greatest_need: set up by the browser test",
                actor_id=None,
                now=now - dt.timedelta(days=days),
            )
            ids[name] = team.id or 0
    return Coach(email=email, teams=ids)


def sign_in_as_coach(page: Page, coach: Coach) -> None:
    """Sign in through the form; a coach starts on the list of their teams."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(coach.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/teams$"))


def caseload_row(page: Page, team: str) -> Locator:
    return page.locator("table.caseload tbody tr").filter(
        has=page.get_by_role("link", name=team, exact=True)
    )


def test_a_coach_finds_a_stalled_team_and_logs_a_checkin_with_it(
    page: Page, live_server: LiveServer
) -> None:
    coach = new_caseload(
        live_server.db,
        {"Birch team": ("shared-influence", 40), "Cedar team": ("vision-and-strategy", 1)},
    )
    sign_in_as_coach(page, coach)

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(page.locator("table.caseload tbody tr")).to_have_count(2)
    expect(caseload_row(page, "Birch team")).to_contain_text("Stalled")
    screenshot(page, "coach-caseload")

    page.get_by_label("Flag").select_option(label="Stalled")
    page.get_by_role("button", name="Show teams").click()
    expect(page).to_have_url(re.compile(r"flag=stalled"))
    expect(page.locator("table.caseload tbody tr")).to_have_count(1)
    birch = caseload_row(page, "Birch team")
    expect(birch).to_contain_text("Check-in due")
    expect(birch.locator("td").nth(4)).to_have_text("40")  # days in stage

    birch.get_by_role("link", name="Birch team").click()
    expect(page).to_have_url(re.compile(rf"/teams/{coach.teams['Birch team']}$"))
    form = page.locator("form.checkin-form")
    expect(form.get_by_label("Date held")).to_have_value(dt.datetime.now(dt.UTC).date().isoformat())
    form.get_by_label("Virtual").check()
    form.get_by_label("Notes").fill("The team has not met since the launch.")
    form.get_by_label("Next steps").fill("Book the next planning meeting before Friday.")
    form.get_by_label("Attendees").fill("Principal\nGrade 7 lead")
    form.get_by_role("button", name="Log the check-in").click()

    expect(page.get_by_role("status")).to_contain_text("Logged the check-in of")
    checkin = page.locator("#checkins").get_by_role("article")
    expect(checkin).to_have_count(1)
    expect(checkin).to_contain_text("Virtual")
    expect(checkin.locator(".next-steps")).to_have_text(
        "Book the next planning meeting before Friday."
    )
    expect(checkin).to_contain_text("Grade 7 lead")
    screenshot(page, "coach-checkin-logged")

    page.get_by_role("link", name="Caseload").click()
    expect(caseload_row(page, "Birch team")).not_to_contain_text("Check-in due")
    expect(caseload_row(page, "Birch team")).to_contain_text("Stalled")
    expect(caseload_row(page, "Cedar team")).to_contain_text("Check-in due")


def test_the_stage_board_links_each_busy_cell_to_its_teams(
    page: Page, live_server: LiveServer
) -> None:
    coach = new_caseload(
        live_server.db,
        {
            "Alder team": ("shared-influence", 3),
            "Birch team": ("shared-influence", 40),
            "Cedar team": ("shared-influence", 1),
            "Elm team": ("vision-and-strategy", 22),
            "Fir team": ("orientation-to-improve", 5),
        },
    )
    sign_in_as_coach(page, coach)

    page.get_by_role("link", name="Stage board").click()
    cell = page.get_by_role("link", name="3 teams in Shared influence, why")
    expect(cell).to_be_visible()
    expect(page.get_by_role("cell", name="0").first).to_be_visible()
    screenshot(page, "coach-stage-board")

    cell.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"condition=shared-influence&state=why"))
    expect(page.locator("table.caseload tbody tr")).to_have_count(3)
    expect(page.get_by_label("Condition")).to_have_value("shared-influence")
