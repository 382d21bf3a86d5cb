"""A program admin reads the survey outcomes and a school's profile in Chromium, on screen and
as printed: the charts are drawn, the page's policy refuses nothing, and print turns them black
on white."""

from __future__ import annotations

import re

import pytest
from browser_factories import LiveServer, new_admin
from browser_steps import screenshot, sign_in_as
from playwright.sync_api import ConsoleMessage, Page, expect
from program_factories import small_program

from service.demo_surveys import seed_surveys
from service.store.database import unit_of_work
from service.store.models import School

pytestmark = pytest.mark.browser
BLACK = "rgb(0, 0, 0)"


def fill_of(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate("element => getComputedStyle(element).fill")


def test_a_program_admin_reads_the_outcomes_and_a_schools_profile_on_screen_and_printed(
    page: Page, live_server: LiveServer
) -> None:
    program = small_program(live_server.db, name="Surveyed state program")
    with unit_of_work(live_server.db) as session:
        schools = [session.get_one(School, school_id) for school_id in program.schools.values()]
        seed_surveys(session, program_id=program.program_id, schools=schools)
    refused: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note_refusal)
    sign_in_as(page, new_admin(live_server.db, program.program_id))

    page.goto(f"/programs/{program.program_id}/dashboard")
    page.get_by_role("link", name="See the survey outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Surveyed state program: survey outcomes"
    )
    change = page.get_by_role("img", name=re.compile("^Mean change in school scores"))
    expect(change).to_be_visible()
    expect(change.locator(".bar")).to_have_count(8)
    spread = page.get_by_role("img", name=re.compile("^How the schools' changes spread"))
    expect(spread.locator(".chart-dot")).to_have_count(8 * len(schools))
    assert (change.bounding_box() or {"width": 0})["width"] > 300
    screenshot(page, "survey-outcomes")

    page.emulate_media(media="print")
    expect(page.locator("form.wave-choice")).to_be_hidden()
    expect(change).to_be_visible()
    assert fill_of(page, "#mean-change-chart .bar-up") == BLACK
    screenshot(page, "survey-outcomes-print")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="See each school").click()
    page.get_by_role("link", name="Survey profile of Elm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Elm")
    trend = page.get_by_role("img", name=re.compile("condition scores by wave"))
    expect(trend).to_be_visible()
    expect(trend.locator(".chart-marker-label")).to_contain_text("Vision and strategy, ")
    expect(trend.locator(".chart-series")).to_have_count(7)
    screenshot(page, "school-profile")

    page.emulate_media(media="print")
    expect(trend).to_be_visible()
    assert fill_of(page, "#condition-trend-chart .chart-marker-label") == BLACK
    screenshot(page, "school-profile-print")
    assert refused == []
