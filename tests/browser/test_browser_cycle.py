"""A team member takes a cycle through every stage on the real pages, in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_factories import LiveServer, new_cycle, new_member
from browser_steps import artifact, expect_stage, screenshot, sign_in, trigger
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_blocked_button_explains_itself(page: Page, live_server: LiveServer) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    sign_in(page, member)

    button = trigger(page, "Start planning")
    reason = page.locator("#blocked-start_planning")

    expect(button).to_be_disabled()
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("Write the theory of action: it has not been started.")
    # Read out with the button too, not only shown beside it.
    expect(button).to_have_accessible_description(
        "Not yet: Write the theory of action: it has not been started."
    )
    screenshot(page, "blocked-button")


def test_a_blocked_button_names_what_is_missing_in_the_words_of_the_form(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    sign_in(page, member)
    theory = artifact(page, "Theory of action")
    theory.get_by_label("Goal", exact=True).fill("Every teacher can say what our vision asks.")
    theory.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved the theory of action.")

    reason = page.locator("#blocked-start_planning")

    expect(reason).to_contain_text("Finish the theory of action")
    for label in ("Problem of practice", "What staff told us", "Chosen approach"):
        expect(reason).to_contain_text(label)
    # The form's field names are not words a team wrote anywhere.
    expect(reason).not_to_contain_text("staff_evidence")


def test_a_team_member_walks_a_cycle_from_why_to_move_on_through_the_forms(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id, "vision-and-strategy")
    sign_in(page, member)
    status = page.get_by_role("status")

    # Why: planning is blocked until the theory of action is written.
    expect_stage(page, "Why")
    expect(trigger(page, "Start planning")).to_be_disabled()
    expect(page.locator("#trigger-start_planning")).to_contain_text("theory of action")
    screenshot(page, "cycle-1-why")

    theory = artifact(page, "Theory of action")
    theory.get_by_label("Goal", exact=True).fill(
        "Every teacher can say what our vision asks of them."
    )
    theory.get_by_label("Problem of practice", exact=True).fill(
        "Staff meetings announce priorities without discussing them."
    )
    theory.get_by_label("What staff told us", exact=True).fill(
        "In a survey of 30 staff, most could not name the school's priorities."
    )
    theory.get_by_label("Biggest barrier within our control", exact=True).fill(
        "No time in meetings to talk the priorities through."
    )
    theory.get_by_label("Chosen approach", exact=True).fill(
        "Open each staff meeting with ten minutes on one priority."
    )
    theory.get_by_label("Theory of action", exact=True).fill(
        "If staff talk one priority through at each meeting, then they will use it in planning."
    )
    theory.get_by_role("button", name="Save").click()
    expect(status).to_have_text("Saved the theory of action.")
    expect(trigger(page, "Start planning")).to_be_enabled()
    trigger(page, "Start planning").click()

    # How: a purpose map and an action timeline.
    expect(status).to_have_text("Done: the cycle is now in how.")
    expect_stage(page, "How")
    purpose = artifact(page, "Purpose map")
    purpose.get_by_label("Vision", exact=True).fill("Staff plan with the priorities in view.")
    purpose.get_by_label("Idea to test", exact=True).fill(
        "Ten minutes per meeting on one priority."
    )
    person = purpose.get_by_role("group", name="People involved: row 1")
    person.get_by_label("Name or group", exact=True).fill("Grade 7 team")
    person.get_by_label("Their part", exact=True).fill("Try the ten minutes first.")
    purpose.get_by_label("First steps", exact=True).fill("Agree the agenda\nTell staff")
    purpose.get_by_label("How we will measure success", exact=True).fill("Exit-ticket answers")
    purpose.get_by_role("button", name="Save").click()
    expect(status).to_have_text("Saved the purpose map.")

    timeline = artifact(page, "Action timeline")
    action = timeline.get_by_role("group", name="Actions: row 1")
    action.get_by_label("Action", exact=True).fill("Put the ten minutes on the agenda")
    action.get_by_label("Owner", exact=True).fill("Principal")
    action.get_by_label("Due", exact=True).fill("2027-01-15")
    action.get_by_label("How we will know it worked", exact=True).fill("It is on the agenda.")
    action.get_by_label("Status", exact=True).select_option(label="Planned")
    timeline.get_by_role("button", name="Save").click()
    expect(status).to_have_text("Saved the action timeline.")
    expect(artifact(page, "Action timeline")).to_contain_text("2027-01-15")
    screenshot(page, "cycle-2-how")
    trigger(page, "Launch test").click()

    # Implement: data collected on or after the launch (today, on the server's UTC clock).
    expect(status).to_have_text("Done: the cycle is now in implement.")
    expect_stage(page, "Implement")
    today = dt.datetime.now(dt.UTC).date()
    expect(page.locator(".stage-meta")).to_contain_text(f"test launched {today:%d %b %Y}")
    expect(trigger(page, "Start review")).to_be_disabled()
    collection = artifact(page, "Data collection")
    collection.get_by_label("Collected on", exact=True).fill(today.isoformat())
    collection.get_by_label("Source", exact=True).select_option(label="Feedback")
    collection.get_by_label("Participants", exact=True).fill("12 teachers")
    collection.get_by_label("Summary", exact=True).fill("Nine of twelve named a priority.")
    collection.get_by_role("button", name="Add the record").click()
    expect(status).to_have_text("Added a data collection record.")
    expect(
        artifact(page, "Data collection").get_by_role("heading", name="Record 1")
    ).to_be_visible()
    screenshot(page, "cycle-3-implement")
    trigger(page, "Start review").click()

    # Review: the impact assessment.
    expect(status).to_have_text("Done: the cycle is now in review.")
    expect_stage(page, "Review")
    impact = artifact(page, "Impact assessment")
    impact.get_by_label("Findings", exact=True).fill("Most staff can now name a priority.")
    impact.get_by_label("Progress toward the goal", exact=True).select_option(label="Partly met")
    impact.get_by_label("Evidence", exact=True).fill("Exit tickets from three meetings.")
    impact.get_by_label("Adjustments", exact=True).fill("Keep the ten minutes.")
    impact.get_by_role("button", name="Save").click()
    expect(status).to_have_text("Saved the impact assessment.")
    screenshot(page, "cycle-4-review")
    trigger(page, "Conclude review").click()

    # Decide: move on to another condition.
    expect(status).to_have_text("Done: the cycle is now in decide.")
    expect_stage(page, "Decide")
    expect(trigger(page, "Move on")).to_be_disabled()
    decision = artifact(page, "Decision")
    decision.get_by_label("Our decision", exact=True).select_option(label="Move on")
    decision.get_by_label("Why", exact=True).fill("The vision is shared; influence is next.")
    decision.get_by_label("Next condition", exact=True).select_option(label="Shared influence")
    decision.get_by_role("button", name="Save").click()
    expect(status).to_have_text("Saved the decision.")
    expect(trigger(page, "Move on")).to_be_enabled()
    screenshot(page, "cycle-5-decide")
    trigger(page, "Move on").click()

    # The next cycle, on the chosen condition, starts in why.
    expect(status).to_have_text("Done: this cycle is closed and the team's next cycle has started.")
    expect_stage(page, "Why")
    expect(page.get_by_role("heading", level=2, name="Shared influence:")).to_be_visible()
    expect(trigger(page, "Start planning")).to_be_disabled()
    screenshot(page, "cycle-6-next-cycle")
