"""Signing in and out in Chromium: the form, its refusal, and what signing out closes."""

from __future__ import annotations

import re

import pytest
from browser_factories import PASSWORD, LiveServer, new_cycle, new_member
from browser_steps import screenshot, sign_in
from playwright.sync_api import Page, expect

from service.web.pages.cookies import SESSION

pytestmark = pytest.mark.browser

# The one message for a wrong e-mail or a wrong password, whichever it was.
NO_MATCH = re.compile(r"e-mail and password do not match an account")


def test_sign_in_rejects_a_wrong_password_with_a_message(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    page.goto("/sign-in")

    page.get_by_label("E-mail").fill(member.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(NO_MATCH)
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_label("E-mail")).to_have_value(member.email)
    expect(page.get_by_label("E-mail")).to_have_accessible_description(NO_MATCH)
    expect(page.get_by_label("Password")).to_have_value("")
    assert SESSION not in {cookie["name"] for cookie in page.context.cookies()}
    screenshot(page, "sign-in-wrong-password")


def test_sign_in_works_from_the_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    page.goto("/sign-in")

    page.get_by_label("E-mail").focus()
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/teams/{member.team_id}$"))
    expect(page.get_by_text(f"Signed in as {member.name}")).to_be_visible()


def test_after_signing_out_the_team_page_sends_you_to_sign_in(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    sign_in(page, member)
    (session,) = [cookie for cookie in page.context.cookies() if cookie["name"] == SESSION]

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    assert SESSION not in {cookie["name"] for cookie in page.context.cookies()}
    # The server revoked the session too: a copy of the old cookie opens nothing.
    page.context.add_cookies([session])
    page.goto(f"/teams/{member.team_id}")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
