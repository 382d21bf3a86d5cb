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


# Where focus is after a key press, and whether it shows: an outline or a box shadow.
_FOCUS = """target => {
  const focused = document.activeElement;
  const style = getComputedStyle(focused);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    reached: focused === target,
    on_page: focused !== document.body,
    shown: outlined || style.boxShadow !== 'none',
    disabled: focused.matches(':disabled, [aria-disabled="true"]'),
    name: ((focused.labels && focused.labels[0]) || focused).innerText.trim(),
  };
}"""


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> list[str]:
    """Press Tab (Shift+Tab backwards) until `target` has focus; the names of the stops made.

    Every stop must show its focus and be a control that works: a disabled one is no stop.
    """
    key = "Shift+Tab" if backwards else "Tab"
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press(key)
        focus = target.evaluate(_FOCUS)
        if not focus["on_page"]:
            continue  # past either end of the page, focus rests on the browser itself
        stops.append(focus["name"])
        assert focus["shown"], f"{focus['name']!r} has focus but shows no outline or shadow"
        assert not focus["disabled"], f"{key} stopped on {focus['name']!r}, which is disabled"
        if focus["reached"]:
            return stops
    raise AssertionError(f"{limit} presses of {key} never reached {target}; stopped at {stops}")


def sign_in_by_keyboard(page: Page, member: Member) -> None:
    """Sign in through the form with Tab, typing and Enter, and arrive on the team page."""
    page.goto("/sign-in")
    tab_to(page, page.get_by_label("E-mail"))
    page.keyboard.type(member.email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/teams/{member.team_id}$"))
