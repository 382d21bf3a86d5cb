"""Enrolling a school in a cohort from the program's schools page, which starts its phases."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import ON_BOTH_DATABASES, browsing_as, new_person
from program_factories import SmallProgram, small_program
from program_page_helpers import STRANGERS, as_program_admin, as_stranger
from sqlalchemy import Engine
from sqlmodel import select

from service.store.database import unit_of_work
from service.store.models import Enrolment, HistoryEvent, Person, School, WorkflowInstance
from service.web import csrf
from service.web.pages.school_phases_view import EnrolmentForm, SchoolLine

pytestmark = [ON_BOTH_DATABASES, pytest.mark.usefixtures("now")]


def schools_path(program: SmallProgram) -> str:
    return f"/programs/{program.program_id}/schools"


def as_admin(client: TestClient, db: Engine, program: SmallProgram) -> str:
    return as_program_admin(client, db, program, schools_path(program))


def line(page: Response, school_id: int) -> SchoolLine:
    return next(entry for entry in page.context["lines"] if entry.school_id == school_id)


def enrol(client: TestClient, url: str, token: str, cohort: str, started_on: str) -> Response:
    form = {"csrf_token": token, "cohort": cohort, "started_on": started_on}
    return client.post(url, data=form, follow_redirects=False)


def enrol_url(program: SmallProgram, school_id: int) -> str:
    return f"{schools_path(program)}/{school_id}/enrol"


def enrolments(db: Engine, school_id: int) -> list[tuple[str, dt.date]]:
    with unit_of_work(db, write=False) as session:
        rows = session.exec(
            select(Enrolment.cohort, Enrolment.started_on).where(Enrolment.school_id == school_id)
        ).all()
        return [(cohort, started_on) for cohort, started_on in rows]


def test_only_a_school_not_yet_enrolled_has_the_form_dated_today(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    as_admin(client, web_db, program)

    page = client.get(schools_path(program))

    ash, oak = program.schools["ash"], program.schools["oak"]
    assert line(page, ash).enrolment == EnrolmentForm(cohort="", started_on=now.date().isoformat())
    assert line(page, oak).enrolment is None
    assert f'action="{enrol_url(program, ash)}"' in page.text
    assert f'action="{enrol_url(program, oak)}"' not in page.text
    assert f'id="enrol-{ash}-started" name="started_on" value="{now.date().isoformat()}"' in (
        page.text
    )


def test_enrolling_from_the_page_starts_the_schools_phases_on_its_calendar(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]
    started = now.date() - dt.timedelta(days=400)

    posted = enrol(client, enrol_url(program, ash), token, " 2026 cohort ", started.isoformat())
    after = client.get(posted.headers["location"])

    assert posted.status_code == 303
    assert posted.headers["location"] == f"{schools_path(program)}#school-{ash}"
    assert after.context["flash"].message == (
        "Ash is enrolled in the cohort 2026 cohort; its phases have started."
    )
    school = line(after, ash)
    assert (school.cohort, school.started_on, school.expected, school.phase, school.behind) == (
        "2026 cohort",
        started,
        "Implementing",
        "Designing",
        True,
    )
    assert school.enrolment is None
    assert [s.dest_title for s in school.steps] == ["Implementing"]
    assert enrolments(web_db, ash) == [("2026 cohort", started)]
    with unit_of_work(web_db, write=False) as session:
        start = session.exec(
            select(HistoryEvent.reason, Person.name)
            .join(WorkflowInstance, WorkflowInstance.id == HistoryEvent.instance_id)
            .join(Person, Person.id == HistoryEvent.actor_id)
            .where(WorkflowInstance.school_id == ash)
        ).one()
    assert tuple(start) == ("Enrolled in cohort 2026 cohort", "Pat Admin")


@pytest.mark.parametrize("cohort", ["", "   "])
def test_a_blank_cohort_comes_back_beside_the_field_with_the_date_kept(
    client: TestClient, web_db: Engine, program: SmallProgram, cohort: str
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]

    page = enrol(client, enrol_url(program, ash), token, cohort, "2026-09-01")

    assert (page.status_code, page.template.name) == (422, "school_phases.html")
    assert page.context["flash"].message == "Ash was not enrolled: see the form beside it."
    error = "Name the cohort the school joins, such as “2026 cohort”."
    assert line(page, ash).enrolment == EnrolmentForm("", "2026-09-01", {"cohort": error})
    assert f'<p class="field-error" id="enrol-{ash}-cohort-error">' in page.text
    assert f'aria-describedby="enrol-{ash}-cohort-help enrol-{ash}-cohort-error"' in page.text
    assert enrolments(web_db, ash) == []


@pytest.mark.parametrize("started_on", ["", "next autumn", "2026-02-30"])
def test_a_start_that_is_not_a_date_comes_back_beside_the_field_with_the_cohort_kept(
    client: TestClient, web_db: Engine, program: SmallProgram, started_on: str
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]

    page = enrol(client, enrol_url(program, ash), token, "2026 cohort", started_on)

    assert page.status_code == 422
    form = line(page, ash).enrolment
    assert form is not None and (form.cohort, form.started_on) == ("2026 cohort", started_on)
    assert form.errors == {"started_on": "Give the day the school's cohort started, as a date."}
    assert 'name="cohort" value="2026 cohort"' in page.text
    assert enrolments(web_db, ash) == []


def test_a_cohort_name_longer_than_the_api_allows_comes_back_as_typed(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]

    page = enrol(client, enrol_url(program, ash), token, "c" * 101, "2026-09-01")

    form = line(page, ash).enrolment
    assert form is not None and form.cohort == "c" * 101
    assert form.errors == {"cohort": "Keep the cohort's name under 100 characters."}
    assert enrolments(web_db, ash) == []


def test_enrolling_a_school_twice_is_refused_and_keeps_the_first_cohort(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]
    enrol(client, enrol_url(program, ash), token, "2026 cohort", "2026-09-01")

    again = enrol(client, enrol_url(program, ash), token, "2027 cohort", "2027-09-01")
    after = client.get(again.headers["location"])

    assert again.status_code == 303
    assert after.context["flash"].kind == "refused"
    assert after.context["flash"].message == "Ash is already enrolled, in the cohort 2026 cohort."
    assert enrolments(web_db, ash) == [("2026 cohort", dt.date(2026, 9, 1))]


def test_an_enrolment_from_a_later_page_returns_to_that_page(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)
    ash = program.schools["ash"]
    with unit_of_work(web_db) as session:
        session.get_one(School, ash).code = "zz-last"
    page = client.get(f"{schools_path(program)}?limit=1&offset=2")
    url = page.context["query"].enrol_href(ash)

    refused = enrol(client, url, token, "", "2026-09-01")
    posted = enrol(client, url, token, "2026 cohort", "2026-09-01")

    assert f'action="{enrol_url(program, ash)}?limit=1&amp;offset=2"' in page.text
    assert (refused.status_code, refused.context["query"]) == (422, page.context["query"])
    assert posted.headers["location"] == f"{schools_path(program)}?limit=1&offset=2#school-{ash}"
    after = client.get(posted.headers["location"])
    assert [entry.school_id for entry in after.context["lines"]] == [ash]


@pytest.mark.parametrize("token", [None, "", "0" * 64, csrf.token_for("another session")])
def test_an_enrolment_without_the_sessions_token_is_refused(
    client: TestClient, web_db: Engine, program: SmallProgram, token: str | None
) -> None:
    as_admin(client, web_db, program)
    ash = program.schools["ash"]
    form = {"cohort": "2026 cohort", "started_on": "2026-09-01"}
    if token is not None:
        form["csrf_token"] = token

    posted = client.post(enrol_url(program, ash), data=form)

    assert (posted.status_code, posted.template.name) == (403, "error.html")
    assert enrolments(web_db, ash) == []


@pytest.mark.parametrize("who", STRANGERS)
def test_only_the_programs_admins_may_enrol_a_school(
    client: TestClient, web_db: Engine, program: SmallProgram, who: str
) -> None:
    token = as_stranger(client, web_db, program, who)
    ash = program.schools["ash"]

    posted = enrol(client, enrol_url(program, ash), token, "2026 cohort", "2026-09-01")

    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert enrolments(web_db, ash) == []


def test_a_school_of_another_program_is_not_enrolled_under_this_one(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    other = small_program(web_db, name="Another program")
    email = new_person(web_db, admin_of=(program.program_id, other.program_id))
    browsing_as(client, web_db, email)
    token = client.get(schools_path(program)).context["csrf_token"]
    foreign = other.schools["ash"]

    posted = enrol(client, enrol_url(program, foreign), token, "2026 cohort", "2026-09-01")

    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert enrolments(web_db, foreign) == []
