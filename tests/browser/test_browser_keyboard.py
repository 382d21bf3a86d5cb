"""The team page works from the keyboard alone, in Chromium: no mouse, no filled-in fields.

Focus moves with Tab and Shift+Tab, text is typed key by key, and Enter or Space presses a
button. Every stop on the way must show where focus is (tab_to checks each one).
"""

from __future__ import annotations

import re

import pytest
from browser_factories import LiveServer, new_cycle, new_member
from browser_steps import artifact, expect_stage, sign_in_by_keyboard, tab_to, trigger
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

THEORY_OF_ACTION = {
    "Goal": "Every family hears good news from a teacher once a month.",
    "Problem of practice": "Calls home happen only when something has gone wrong.",
    "What staff told us": "Eighteen of twenty-four teachers said they lack the time and a list.",
    "Biggest barrier within our control": "Nobody knows which families were called already.",
    "Chosen approach": "One shared call log, read together in each team meeting.",
    "Theory of action": "If teachers share one call log, then every family hears good news.",
}


def signed_in_with_a_cycle_in_why(page: Page, live_server: LiveServer) -> None:
    """A member of a team whose cycle is in why signs in from the keyboard."""
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    sign_in_by_keyboard(page, member)


def test_a_member_writes_a_theory_of_action_and_starts_planning_from_the_keyboard_alone(
    page: Page, live_server: LiveServer
) -> None:
    signed_in_with_a_cycle_in_why(page, live_server)
    theory = artifact(page, "Theory of action")

    for label, text in THEORY_OF_ACTION.items():
        tab_to(page, theory.get_by_label(label, exact=True))
        page.keyboard.type(text)
    tab_to(page, theory.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Saved the theory of action.")
    for text in THEORY_OF_ACTION.values():
        expect(theory.locator("dl").get_by_text(text, exact=True)).to_be_visible()
    # Start planning stands below the documents: back up to it from the end of the page.
    tab_to(page, trigger(page, "Start planning"), backwards=True)
    page.keyboard.press("Space")

    expect(page.get_by_role("status")).to_have_text("Done: the cycle is now in how.")
    expect_stage(page, "How")


def test_tab_shows_its_focus_everywhere_and_passes_over_a_blocked_trigger_announced_disabled(
    page: Page, live_server: LiveServer
) -> None:
    signed_in_with_a_cycle_in_why(page, live_server)
    top = page.get_by_role("link", name="Skip to the main content")
    blocked = trigger(page, "Start planning")

    tab_to(page, top)
    stops = tab_to(page, top)  # once round the whole page and back to the top

    assert "Save" in stops  # the theory of action's form, just above Next steps
    assert "Start planning" not in stops
    expect(blocked).to_be_disabled()
    expect(blocked).to_have_accessible_description(re.compile(r"^Not yet: "))
