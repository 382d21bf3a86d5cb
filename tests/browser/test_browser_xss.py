"""Markup a person types is shown as text, never run: checked in Chromium, not in the HTML.

Each payload would set `window.__xss` or open a dialog if the page let it out of its text
context (element content, an attribute, or a textarea). After saving, the page and its
history are reloaded and the browser itself is asked whether anything ran. Typed payloads cover
the forms; every text field of every artifact kind is also saved through the service, and each
page that shows it (a stage of the cycle or of onboarding, a closed cycle) is opened.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import factories as complete
import pytest
from browser_factories import (
    LiveServer,
    current_cycle,
    new_cycle,
    new_member,
    new_onboarding,
    walk_to_implement,
    write_theory_of_action,
)
from browser_steps import artifact, sign_in, trigger
from factories import fire, save
from payloads import hostile_complete, occurrences
from playwright.sync_api import Dialog, Locator, Page, expect
from sqlalchemy import Engine

from service.catalog import get_catalog
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

HOSTILE = f"If {SCRIPT} then {ATTRIBUTE} {SINGLE_QUOTED} {SVG} {TEXTAREA} {ALERT}"
"""Every payload in one text, read as "If ..., then ..." so a theory of action takes it too."""
ARTIFACTS = get_catalog().content.artifacts


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
    """Each text is on the page as literal text, as often as listed, and nothing it carries ran."""
    for text, times in Counter(texts).items():
        literal = shown.get_by_text(text, exact=True)
        expect(literal).to_have_count(times)
        for each in literal.all():
            expect(each).to_be_visible()
            each.hover()  # an injected onmouseover would fire now
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


def write_hostile(db: Engine, instance_id: int, kind: str, body: dict[str, Any]) -> list[str]:
    """Save the complete `body` with HOSTILE in each text field; the texts the kind then shows."""
    document = hostile_complete(ARTIFACTS[kind], body, HOSTILE)
    save(db, instance_id, kind, document)
    return [HOSTILE] * occurrences(document, HOSTILE)


def expect_documents_inert(page: Page, shown: dict[str, list[str]], dialogs: list[str]) -> None:
    """Each kind's panel shows its texts literally, and nothing on the page ran."""
    for kind, texts in shown.items():
        expect_inert(page, saved(artifact(page, ARTIFACTS[kind].title)), texts, dialogs)


def test_markup_in_every_text_field_of_a_cycles_documents_stays_text_at_each_stage_and_closed(
    page: Page, live_server: LiveServer
) -> None:
    db = live_server.db
    now = dt.datetime.now(dt.UTC)  # the server's clock reads the launch and the data as today
    member = new_member(db)
    cycle_id = new_cycle(db, member.team_id)
    records = [complete.data_collection(now.date(), source) for source in ("survey", "records")]
    how = {"purpose_map": [complete.purpose_map()], "action_timeline": [complete.action_timeline()]}
    decision = {"choice": "move_on", "next_condition": "shared-influence"}
    stages = (
        ({"theory_of_action": [complete.theory_of_action()]}, "start_planning"),
        (how, "launch_test"),
        ({"data_collection": records}, "start_review"),
        ({"impact_assessment": [complete.impact_assessment()]}, "conclude_review"),
        ({"decision": [decision]}, "move_on"),
    )
    dialogs = record_dialogs(page)
    sign_in(page, member)

    written: dict[str, list[str]] = {}
    for documents, leave_by in stages:
        shown = {
            kind: [text for body in bodies for text in write_hostile(db, cycle_id, kind, body)]
            for kind, bodies in documents.items()
        }
        page.reload()
        expect_documents_inert(page, shown, dialogs)
        fire(db, cycle_id, leave_by, now=now)
        written |= shown

    page.goto(f"/cycles/{cycle_id}")
    expect_documents_inert(page, written, dialogs)
    # The decision's rationale is the reason the next cycle started for.
    page.goto(f"/teams/{member.team_id}")
    expect_inert(page, page.get_by_role("region", name="History"), [HOSTILE], dialogs)


def test_markup_in_every_text_field_of_onboarding_stays_text_on_a_new_teams_page(
    page: Page, live_server: LiveServer
) -> None:
    db = live_server.db
    now = dt.datetime.now(dt.UTC)
    member = new_member(db)
    run_id = new_onboarding(db, member)
    every_condition = [
        {"condition": slug, "level": "developing"} for slug in get_catalog().content.condition_slugs
    ]
    dialogs = record_dialogs(page)
    sign_in(page, member)

    reviewed = {"reviewed_on": now.date().isoformat()}
    overview = write_hostile(db, run_id, "playbook_overview", reviewed)
    page.reload()
    expect_documents_inert(page, {"playbook_overview": overview}, dialogs)
    fire(db, run_id, "finish_overview", now=now)

    rated = write_hostile(db, run_id, "self_assessment", {"ratings": every_condition})
    page.reload()
    expect_documents_inert(page, {"self_assessment": rated}, dialogs)
    fire(db, run_id, "finish_self_assessment", now=now)

    # At the choice the ratings stand beside each condition.
    page.reload()
    expect_inert(page, page.locator("#choose .conditions"), rated, dialogs)
    choice = {"condition": "shared-influence", "basis": "greatest_need"}
    write_hostile(db, run_id, "condition_choice", choice)
    fire(db, run_id, "choose_condition", now=now)

    # The choice's reason is the reason the first cycle started for.
    page.reload()
    history = page.get_by_role("region", name="History")
    expect_inert(page, history, [f"Greatest need: {HOSTILE}"], dialogs)
