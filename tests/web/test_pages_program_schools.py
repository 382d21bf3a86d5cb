"""The program's schools page: each school against its calendar, and moving it on a phase."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import new_person, new_team, signed_in
from page_html import PageStructure
from program_factories import SmallProgram, small_program
from sqlalchemy import Engine
from sqlmodel import select

from service.enrolment import school_phases
from service.store.database import unit_of_work
from service.store.models import HistoryEvent, Person, School, WorkflowInstance
from service.web import csrf
from service.web.pages.school_phases_view import OverriddenGate, SchoolLine

NOT_REACHED = "One of the school's teams must bring a cycle as far as 'implement'."

# Schedules are judged by today's date: the service's clock stands still in each test.
pytestmark = pytest.mark.usefixtures("now")


def schools_path(program: SmallProgram) -> str:
    return f"/programs/{program.program_id}/schools"


def admin(client: TestClient, db: Engine, program: SmallProgram) -> str:
    """Sign in as the program's admin; returns the CSRF token of the schools page's forms."""
    signed_in(client, new_person(db, name="Pat Admin", admin_of=(program.program_id,)))
    return client.get(schools_path(program)).context["csrf_token"]


def line(page: Response, school_id: int) -> SchoolLine:
    lines = page.context["lines"]
    return next(entry for entry in lines if entry.school_id == school_id)


def advance(
    client: TestClient, program: SmallProgram, school: str, token: str, **form: str
) -> Response:
    school_id = program.schools[school]
    step = line(client.get(schools_path(program)), school_id).steps[0]
    data = {
        "csrf_token": token,
        "trigger": step.trigger,
        "expected_version": str(step.version),
        **form,
    }
    url = f"{schools_path(program)}/{school_id}/advance"
    return client.post(url, data=data, follow_redirects=False)


def phase_events(db: Engine, school_id: int) -> list[HistoryEvent]:
    with unit_of_work(db, write=False) as session:
        return list(
            session.exec(
                select(HistoryEvent)
                .join(WorkflowInstance, WorkflowInstance.id == HistoryEvent.instance_id)
                .where(WorkflowInstance.school_id == school_id, HistoryEvent.trigger != "start")
            ).all()
        )


def test_each_school_shows_its_cohort_calendar_phase_and_schedule(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    admin(client, web_db, program)

    page = client.get(schools_path(program))

    assert (page.status_code, page.template.name) == (200, "school_phases.html")
    with unit_of_work(web_db, write=False) as session:
        expected = school_phases(session=session, program_id=program.program_id, today=now.date())
    assert [entry.school_id for entry in page.context["lines"]] == [r.school_id for r in expected]
    oak, elm, ash = (line(page, program.schools[name]) for name in ("oak", "elm", "ash"))
    assert (oak.cohort, oak.expected, oak.phase, oak.behind) == (
        "2025 cohort",
        "Implementing",
        "Designing",
        True,
    )
    assert (elm.expected, elm.phase, elm.behind) == ("Designing", "Designing", False)
    assert (ash.cohort, ash.started_on, ash.phase, ash.steps) == (None, None, None, ())
    assert (page.context["behind"], page.context["enrolled"]) == (1, 2)
    assert page.text.count('<span class="badge badge-behind">Behind schedule</span>') == 2
    assert [(s.dest_title, s.blocked_by, s.overridable) for s in oak.steps] == [
        ("Implementing", (NOT_REACHED,), True)
    ]
    assert [(s.dest_title, s.blocked_by) for s in elm.steps] == [("Implementing", ())]
    assert "Advance to Implementing" in page.text
    assert f'id="override-reason-{oak.school_id}-begin_implementing"' in page.text
    assert f'id="override-reason-{elm.school_id}-begin_implementing"' not in page.text


def test_a_school_whose_gates_hold_advances(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin(client, web_db, program)
    elm = program.schools["elm"]

    posted = advance(client, program, "elm", token)
    after = client.get(posted.headers["location"])

    assert posted.status_code == 303
    assert posted.headers["location"] == f"{schools_path(program)}#school-{elm}"
    assert after.context["flash"].message == "Elm is now in Implementing."
    assert line(after, elm).phase == "Implementing"
    assert line(after, elm).overrides == ()
    [event] = phase_events(web_db, elm)
    assert (event.trigger, event.to_state, event.details) == (
        "begin_implementing",
        "implementing",
        {},
    )


def test_a_school_whose_gates_do_not_hold_is_refused_with_the_reasons(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin(client, web_db, program)
    oak = program.schools["oak"]

    posted = advance(client, program, "oak", token)
    after = client.get(posted.headers["location"])

    assert posted.status_code == 303
    assert after.context["flash"].message == "Oak was not moved."
    assert line(after, oak).refused == (NOT_REACHED,)
    assert line(after, oak).phase == "Designing"
    assert f'id="refused-{oak}" role="alert"' in after.text
    assert phase_events(web_db, oak) == []


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_an_override_without_a_reason_is_refused_beside_the_field(
    client: TestClient, web_db: Engine, program: SmallProgram, reason: str
) -> None:
    token = admin(client, web_db, program)
    oak = program.schools["oak"]

    page = advance(client, program, "oak", token, override="yes", reason=reason)

    assert (page.status_code, page.template.name) == (422, "school_phases.html")
    draft = line(page, oak).draft
    assert draft is not None and draft.error == "An override needs a written reason."
    field = f"override-reason-{oak}-begin_implementing"
    assert f'<p class="field-error" id="{field}-error">' in page.text
    assert f'aria-describedby="{field}-help {field}-error"' in page.text
    assert line(page, oak).phase == "Designing"
    assert phase_events(web_db, oak) == []


def test_an_override_with_a_reason_moves_the_school_and_is_kept_in_its_history(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    token = admin(client, web_db, program)
    oak = program.schools["oak"]
    why = "The state approved an exception: the team lost its lead mid-year."

    posted = advance(client, program, "oak", token, override="yes", reason=f"  {why}  ")
    after = client.get(posted.headers["location"])

    assert after.context["flash"].message == (
        "Oak is now in Implementing. The override and its reason are recorded in the school's "
        "history."
    )
    school = line(after, oak)
    assert (school.phase, school.behind) == ("Implementing", False)
    [entry] = school.overrides
    assert (entry.actor, entry.from_title, entry.to_title, entry.reason) == (
        "Pat Admin",
        "Designing",
        "Implementing",
        why,
    )
    assert entry.gates == (OverriddenGate("school_cycle_reached: implement", NOT_REACHED),)
    assert entry.at.date() == now.date()
    assert why in after.text and "<code>school_cycle_reached: implement</code>" in after.text
    [event] = phase_events(web_db, oak)
    assert event.details == {
        "overridden": [{"gate": "school_cycle_reached: implement", "reason": NOT_REACHED}]
    }


def test_a_reason_longer_than_the_api_allows_comes_back_as_typed(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin(client, web_db, program)

    page = advance(client, program, "oak", token, override="yes", reason="x" * 5_001)

    assert page.status_code == 422
    draft = line(page, program.schools["oak"]).draft
    assert draft is not None and draft.reason == "x" * 5_001
    assert draft.error == "Keep the reason under 5,000 characters (it has 5,001)."


def test_a_form_rendered_before_someone_else_moved_the_school_is_refused(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin(client, web_db, program)
    elm = program.schools["elm"]
    step = line(client.get(schools_path(program)), elm).steps[0]
    form = {"csrf_token": token, "trigger": step.trigger, "expected_version": str(step.version)}
    url = f"{schools_path(program)}/{elm}/advance"

    client.post(url, data=form)
    again = client.post(url, data=form, follow_redirects=False)

    after = client.get(again.headers["location"])
    assert line(after, elm).refused == (
        "Someone moved this school's phase meanwhile; check where it stands now.",
    )
    assert len(phase_events(web_db, elm)) == 1


@pytest.mark.parametrize("token", [None, "", "0" * 64, csrf.token_for("another session")])
def test_a_phase_step_without_the_sessions_token_is_refused(
    client: TestClient, web_db: Engine, program: SmallProgram, token: str | None
) -> None:
    admin(client, web_db, program)
    elm = program.schools["elm"]
    data = {"trigger": "begin_implementing"}
    if token is not None:
        data["csrf_token"] = token

    posted = client.post(f"{schools_path(program)}/{elm}/advance", data=data)

    assert (posted.status_code, posted.template.name) == (403, "error.html")
    assert phase_events(web_db, elm) == []


@pytest.mark.parametrize("who", ["member", "coach", "other program's admin"])
def test_only_the_programs_admins_may_move_a_school(
    client: TestClient, web_db: Engine, program: SmallProgram, who: str
) -> None:
    elsewhere = new_team(web_db)
    team_id = program.teams["elm"]
    email = {
        "member": lambda: new_person(web_db, member_of=(team_id,)),
        "coach": lambda: new_person(web_db, coach_of=(team_id,)),
        "other program's admin": lambda: new_person(web_db, admin_of=(elsewhere.program_id,)),
    }[who]()
    signed_in(client, email)
    token = client.get(f"/teams/{elsewhere.team_id if who.startswith('other') else team_id}")
    elm = program.schools["elm"]

    posted = client.post(
        f"{schools_path(program)}/{elm}/advance",
        data={"csrf_token": token.context["csrf_token"], "trigger": "begin_implementing"},
    )

    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert phase_events(web_db, elm) == []


def test_a_school_of_another_program_is_not_found_under_this_one(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    other = small_program(web_db, name="Another program")
    email = new_person(web_db, admin_of=(program.program_id, other.program_id))
    with unit_of_work(web_db) as session:
        session.exec(select(Person).where(Person.email == email)).one().is_site_admin = True
    signed_in(client, email)
    token = client.get(schools_path(program)).context["csrf_token"]
    foreign = other.schools["elm"]

    posted = client.post(
        f"{schools_path(program)}/{foreign}/advance",
        data={"csrf_token": token, "trigger": "begin_implementing"},
    )
    unknown = advance(client, program, "elm", token, trigger="begin_sustaining_now")
    unenrolled = client.post(
        f"{schools_path(program)}/{program.schools['ash']}/advance",
        data={"csrf_token": token, "trigger": "begin_implementing"},
    )

    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert phase_events(web_db, foreign) == []
    assert unknown.status_code == 404
    assert unenrolled.status_code == 404


def last_page_with(
    client: TestClient, db: Engine, program: SmallProgram, school: str, limit: int
) -> tuple[str, Response]:
    """As the admin, the last of pages of `limit` schools, with `school` given the last code.

    Returns the CSRF token of the page's forms, and the page.
    """
    token = admin(client, db, program)
    with unit_of_work(db) as session:
        session.get_one(School, program.schools[school]).code = "zz-last"
    return token, client.get(f"{schools_path(program)}?limit={limit}&offset=2")


def test_the_schools_come_a_page_at_a_time_by_code_with_links_between_pages(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    admin(client, web_db, program)
    with unit_of_work(web_db, write=False) as session:
        expected = school_phases(session=session, program_id=program.program_id, today=now.date())

    second = client.get(f"{schools_path(program)}?limit=1&offset=1")
    first = client.get(second.context["paging"].previous_href)
    third = client.get(second.context["paging"].next_href)

    paging = second.context["paging"]
    assert (paging.total, paging.first, paging.last) == (3, 2, 2)
    assert paging.previous_href == f"{schools_path(program)}?limit=1"
    assert paging.next_href == f"{schools_path(program)}?limit=1&offset=2"
    assert first.context["paging"].previous_href is None
    assert third.context["paging"].next_href is None
    shown = [entry.school_id for page in (first, second, third) for entry in page.context["lines"]]
    assert shown == [row.school_id for row in expected]
    assert [row.code for row in expected] == sorted(row.code for row in expected)
    assert 'rel="prev"' in second.text and 'rel="next"' in second.text
    assert "3 schools; of the 1 on this page," in " ".join(second.text.split())


def test_a_school_moved_from_a_later_page_is_shown_on_that_page_again(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token, page = last_page_with(client, web_db, program, "elm", limit=1)
    elm = program.schools["elm"]
    query, step = page.context["query"], line(page, elm).steps[0]
    form = {"csrf_token": token, "trigger": step.trigger, "expected_version": str(step.version)}

    posted = client.post(query.advance_href(elm), data=form, follow_redirects=False)
    after = client.get(posted.headers["location"])

    action = f"{schools_path(program)}/{elm}/advance?limit=1&amp;offset=2"
    assert f'action="{action}"' in page.text
    assert posted.headers["location"] == f"{schools_path(program)}?limit=1&offset=2#school-{elm}"
    assert after.context["flash"].message == "Elm is now in Implementing."
    assert [entry.school_id for entry in after.context["lines"]] == [elm]


def test_an_override_refused_on_a_later_page_comes_back_on_that_page(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token, shown = last_page_with(client, web_db, program, "oak", limit=2)
    oak, query = program.schools["oak"], shown.context["query"]
    form = {"csrf_token": token, "trigger": "begin_implementing", "override": "yes"}

    page = client.post(query.advance_href(oak), data=form)

    assert (page.status_code, page.context["query"]) == (422, query)
    draft = line(page, oak).draft
    assert draft is not None and draft.error == "An override needs a written reason."


def test_the_schools_page_is_labelled_in_order_without_inline_code(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    admin(client, web_db, program)

    page = client.get(schools_path(program))

    structure = PageStructure(page.text)
    assert structure.headings[0] == 1 and structure.skipped_heading_levels() == []
    assert structure.unlabelled_controls() == []
    assert "<script" not in page.text and "style=" not in page.text
    assert 'required aria-describedby="override-reason-' in " ".join(page.text.split())
