"""A program admin reads the dashboard, downloads a table and overrides a phase step."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser_factories import LiveServer, new_admin
from browser_steps import screenshot, sign_in_as
from playwright.sync_api import Page, expect
from program_factories import small_program

pytestmark = pytest.mark.browser

NOT_REACHED = "One of the school's teams must bring a cycle as far as 'implement'."


def test_a_program_admin_downloads_a_table_and_overrides_a_blocked_phase_step(
    page: Page, live_server: LiveServer
) -> None:
    program = small_program(live_server.db, name="Browser state program")
    sign_in_as(page, new_admin(live_server.db, program.program_id))
    nav = page.get_by_role("navigation", name="Account")

    nav.get_by_role("link", name="Program dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser state program: dashboard")
    expect(page.get_by_role("heading", level=2)).to_have_count(6)
    stalled = page.locator("#stalled tbody tr")
    expect(stalled).to_have_count(2)
    expect(stalled.first).to_contain_text("Never active")
    screenshot(page, "program-dashboard")

    link = page.get_by_role("link", name="Download CSV of schools per phase")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"program-{program.program_id}-phases.csv"
    response = page.request.get(link.get_attribute("href") or "")
    assert response.status == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text())))
    assert rows[:2] == [["phase", "schools", "behind"], ["designing", "2", "1"]]
    assert download.path().read_bytes() == response.body()

    nav.get_by_role("link", name="Schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser state program: schools")
    oak = page.get_by_role("article", name=re.compile(r"^Oak\b"))
    expect(oak.get_by_text("Behind schedule")).to_be_visible()
    expect(oak.get_by_role("button", name="Advance to Implementing", exact=True)).to_be_disabled()
    expect(oak.locator(".blocked")).to_contain_text(NOT_REACHED)
    expect(oak.get_by_text("No overrides.")).to_be_visible()
    screenshot(page, "program-schools-blocked")

    reason = oak.get_by_label("Reason for the override (required)")
    reason.focus()
    page.keyboard.type("The state approved an exception after the lead teacher left.")
    oak.get_by_role("button", name="Override and advance to Implementing").click()

    expect(page.get_by_role("status")).to_contain_text("Oak is now in Implementing.")
    oak = page.get_by_role("article", name=re.compile(r"^Oak\b"))
    history = oak.locator("ol.overrides > li")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("Designing → Implementing, by Pat Admin")
    expect(history.locator(".reason")).to_have_text(
        "The state approved an exception after the lead teacher left."
    )
    expect(history.locator(".overridden")).to_contain_text(NOT_REACHED)
    expect(oak.get_by_text("Behind schedule")).to_have_count(0)
    screenshot(page, "program-schools-overridden")
