"""Markup a person types is shown as text, never run: checked in Chromium, not in the HTML.

Each payload would set `window.__xss` or open a dialog if the page let it out of its text
context (element content, an attribute, or a textarea). After saving, the page and its
history are reloaded and the browser itself is asked whether anything ran.
"""

from __future__ import annotations

import pytest
from browser_factories import (
    LiveServer,
    current_cycle,
    new_cycle,
    new_member,
    walk_to_implement,
    write_theory_of_action,
)
from browser_steps import artifact, sign_in, trigger
from playwright.sync_api import Dialog, Locator, Page, expect
from sqlalchemy import Engine

from service.checkins import log_checkin
from service.feedback import comment
from service.organisation import create_person
from service.store.database import unit_of_work
from service.store.models import School, Team, utcnow

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.__xss=1">'
SINGLE_QUOTED = "' onmouseover='window.__xss=1"
SVG = "<svg onload=window.__xss=1>"
TEXTAREA = "</textarea><script>window.__xss=1;alert('textarea')</script>"
ALERT = "<img src=x onerror=alert('img')>"
# The statement must read "If ..., then ..." like any other, so it carries two payloads.
STATEMENT = f"If {ALERT} then {SCRIPT}"

THEORY_OF_ACTION = {
    "Goal": SCRIPT,
    "Problem of practice": ATTRIBUTE,
    "What staff told us": SINGLE_QUOTED,
    "Biggest barrier within our control": SVG,
    "Chosen approach": TEXTAREA,
    "Theory of action": STATEMENT,
}

# Counted in the live DOM: a script carrying a payload, or an element with an event handler.
INJECTED = """() => ({
  scripts: [...document.scripts].filter(s => s.textContent.includes('__xss')).length,
  handlers: document.querySelectorAll('[onerror], [onload], [onmouseover]').length,
  images: document.querySelectorAll('main img').length,
  flag: typeof window.__xss,
})"""
NOTHING_INJECTED = {"scripts": 0, "handlers": 0, "images": 0, "flag": "undefined"}


def record_dialogs(page: Page) -> list[str]:
    """Every alert, confirm or prompt the page opens, dismissed and noted."""
    opened: list[str] = []

    def note(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note)
    return opened


def saved(panel: Locator) -> Locator:
    """An artifact's saved contents, as read (not its form)."""
    return panel.locator("dl")


def expect_inert(page: Page, shown: Locator, texts: list[str], dialogs: list[str]) -> None:
    """Each text is on the page as literal text, and nothing it carries has run."""
    for text in texts:
        literal = shown.get_by_text(text, exact=True)
        expect(literal).to_be_visible()
        literal.hover()  # an injected onmouseover would fire now
    assert page.evaluate(INJECTED) == NOTHING_INJECTED
    assert dialogs == []


def test_script_and_attribute_payloads_in_every_text_field_stay_inert(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    new_cycle(live_server.db, member.team_id)
    dialogs = record_dialogs(page)
    sign_in(page, member)

    theory = artifact(page, "Theory of action")
    for label, payload in THEORY_OF_ACTION.items():
        theory.get_by_label(label, exact=True).fill(payload)
    theory.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved the theory of action.")
    page.reload()

    expect_inert(page, saved(theory), list(THEORY_OF_ACTION.values()), dialogs)
    # The form gives back exactly what was typed: escaped once, not twice.
    theory.get_by_text("Edit", exact=True).click()
    for label, payload in THEORY_OF_ACTION.items():
        expect(theory.get_by_label(label, exact=True)).to_have_value(payload)

    trigger(page, "Start planning").click()
    purpose = artifact(page, "Purpose map")
    person = purpose.get_by_role("group", name="People involved: row 1")
    person.get_by_label("Name or group", exact=True).fill(ATTRIBUTE)
    person.get_by_label("Their part", exact=True).fill(TEXTAREA)
    purpose.get_by_label("Vision", exact=True).fill(SVG)
    purpose.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved the purpose map.")
    page.reload()

    expect_inert(page, saved(purpose), [ATTRIBUTE, TEXTAREA, SVG], dialogs)
    expect(person.get_by_label("Name or group", exact=True)).to_have_value(ATTRIBUTE)


def test_a_data_collection_summary_with_markup_stays_text(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    walk_to_implement(live_server.db, new_cycle(live_server.db, member.team_id))
    dialogs = record_dialogs(page)
    sign_in(page, member)

    collection = artifact(page, "Data collection")
    collection.get_by_label("Collected on", exact=True).fill("2026-01-05")
    collection.get_by_label("Source", exact=True).select_option(label="Survey")
    collection.get_by_label("Participants", exact=True).fill(SINGLE_QUOTED)
    collection.get_by_label("Summary", exact=True).fill(SCRIPT + ATTRIBUTE)
    collection.get_by_role("button", name="Add the record").click()
    expect(page.get_by_role("status")).to_have_text("Added a data collection record.")
    page.reload()

    expect_inert(page, saved(collection), [SINGLE_QUOTED, SCRIPT + ATTRIBUTE], dialogs)


def test_reasons_with_markup_stay_text_in_the_history(page: Page, live_server: LiveServer) -> None:
    member = new_member(live_server.db)
    dialogs = record_dialogs(page)
    sign_in(page, member)

    # The reason for choosing a condition is the first entry in the history.
    choice = page.locator("form.choose-form")
    choice.get_by_label("Condition", exact=True).select_option(label="Vision and strategy")
    choice.get_by_label("Greatest need", exact=True).check()
    choice.get_by_label("Reason", exact=True).fill(SVG)
    choice.get_by_role("button", name="Start the cycle").click()
    expect(page.get_by_role("status")).to_have_text("Started a cycle on Vision and strategy.")

    write_theory_of_action(live_server.db, current_cycle(live_server.db, member.team_id))
    page.reload()
    trigger(page, "Start planning").click()
    page.get_by_label("Why? (required)", exact=True).fill(ATTRIBUTE + SCRIPT)
    trigger(page, "Step back to why").click()
    expect(page.get_by_role("status")).to_have_text("Done: the cycle is now in why.")
    page.reload()

    history = page.get_by_role("region", name="History")
    expect_inert(page, history, [f"Greatest need: {SVG}", ATTRIBUTE + SCRIPT], dialogs)


def _hostile_names_comment_and_check_in(db: Engine, team_id: int, cycle_id: int) -> dict[str, str]:
    """Markup in the team's and school's names, a coach's comment and a check-in's notes."""
    texts = {"team": ATTRIBUTE, "school": SINGLE_QUOTED, "comment": SCRIPT + SVG, "notes": ALERT}
    with unit_of_work(db) as session:
        team = session.get_one(Team, team_id)
        team.name = texts["team"]
        session.get_one(School, team.school_id).name = texts["school"]
        coach = create_person(session=session, email=f"coach-{team_id}@x.example", name=SVG)
        comment(
            session=session,
            instance_id=cycle_id,
            kind="theory_of_action",
            revision=1,
            body=texts["comment"],
            author_id=coach.id or 0,
        )
        log_checkin(
            session=session,
            team_id=team_id,
            author_id=coach.id or 0,
            held_on=utcnow().date(),
            mode="virtual",
            notes=texts["notes"],
            next_steps=TEXTAREA,
            attendees=[SCRIPT],
        )
    return texts


def test_names_comments_and_check_ins_with_markup_stay_text(
    page: Page, live_server: LiveServer
) -> None:
    member = new_member(live_server.db)
    cycle_id = new_cycle(live_server.db, member.team_id)
    write_theory_of_action(live_server.db, cycle_id)
    texts = _hostile_names_comment_and_check_in(live_server.db, member.team_id, cycle_id)
    dialogs = record_dialogs(page)

    sign_in(page, member)
    page.goto(f"/teams/{member.team_id}")

    main = page.locator("main")
    expect(main.get_by_text(texts["comment"], exact=True)).to_have_count(1)
    expect(main.get_by_text(texts["notes"], exact=True)).to_have_count(1)
    expect(page.get_by_text(texts["team"]).first).to_be_visible()
    assert page.evaluate(INJECTED) == NOTHING_INJECTED
    assert dialogs == []
