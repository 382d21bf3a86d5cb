"""What a person does on the pages, as steps the browser tests share."""

from __future__ import annotations

import re
from pathlib import Path

from browser_factories import PASSWORD, Member
from playwright.sync_api import Locator, Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def sign_in(page: Page, member: Member, password: str = PASSWORD) -> None:
    """Sign in through the form, and arrive on the member's team page."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(member.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/teams/{member.team_id}$"))


def sign_in_as(page: Page, email: str) -> None:
    """Sign in through the form as someone who lands on the list of teams (an admin, say)."""
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/teams$"))


def artifact(page: Page, title: str) -> Locator:
    """An artifact's panel, named by its heading (the title, then its status)."""
    return page.get_by_role("article", name=re.compile(rf"^{re.escape(title)}\b"))


def trigger(page: Page, label: str) -> Locator:
    """A button under Next steps, by its label."""
    return page.locator("#actions").get_by_role("button", name=label, exact=True)


def expect_stage(page: Page, stage: str) -> None:
    """The page shows the cycle in `stage` (the word after "Stage")."""
    expect(page.locator(".stage-meta")).to_contain_text(f"Stage {stage}")


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot under test-artifacts/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
