"""The program's settings page: the stall threshold and the steps that need a coach's sign-off."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import ON_BOTH_DATABASES, browsing_as, new_person
from page_html import PageStructure
from program_factories import SmallProgram
from program_page_helpers import STRANGERS, as_program_admin, as_site_admin, as_stranger
from sqlalchemy import Engine
from sqlmodel import select

from service.feedback import signable_triggers
from service.security import issue_token
from service.store.database import unit_of_work
from service.store.models import Person, Program
from service.web import csrf

pytestmark = [ON_BOTH_DATABASES, pytest.mark.usefixtures("now")]


def settings_path(program: SmallProgram) -> str:
    return f"/programs/{program.program_id}/settings"


def as_admin(client: TestClient, db: Engine, program: SmallProgram) -> str:
    return as_program_admin(client, db, program, settings_path(program))


def save(
    client: TestClient, program: SmallProgram, token: str, days: str, *triggers: str
) -> Response:
    form = {"csrf_token": token, "stall_days": days, "signoff_triggers": list(triggers)}
    return client.post(settings_path(program), data=form, follow_redirects=False)


def saved_settings(db: Engine, program: SmallProgram) -> tuple[int, list[str]]:
    with unit_of_work(db, write=False) as session:
        row = session.get_one(Program, program.program_id)
        return row.stall_days, list(row.signoff_triggers)


def api_settings(client: TestClient, db: Engine, program: SmallProgram) -> dict[str, object]:
    """What the API's GET settings answers the program's admin."""
    email = new_person(db, admin_of=(program.program_id,))
    with unit_of_work(db) as session:
        person_id = session.exec(select(Person.id).where(Person.email == email)).one() or 0
        token = issue_token(
            session=session, person_id=person_id, kind="api", ttl=dt.timedelta(hours=1)
        )
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get(f"/api/programs/{program.program_id}/settings", headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def oak_team_flags(client: TestClient, db: Engine, program: SmallProgram) -> tuple[str, ...]:
    """The flags the Oak team's coach sees on the caseload (the team is quiet for 40 days)."""
    team_id = program.teams["oak"]
    browsing_as(client, db, new_person(db, name="Chris Coach", coach_of=(team_id,)))
    [line] = [e for e in client.get("/coach/caseload").context["lines"] if e.team_id == team_id]
    return tuple(flag for flag, _ in line.flags)


def test_the_page_shows_the_saved_stall_days_and_ticks_the_saved_triggers(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    with unit_of_work(web_db) as session:
        session.get_one(Program, program.program_id).signoff_triggers = ["launch_test"]
    as_admin(client, web_db, program)

    page = client.get(settings_path(program))

    assert (page.status_code, page.template.name) == (200, "program_settings.html")
    assert (page.context["program"], page.context["stall_days"]) == ("Page program", "21")
    choices = page.context["choices"]
    assert [c.trigger for c in choices] == signable_triggers()
    assert [(c.label, c.checked) for c in choices] == [
        ("Start planning", False),
        ("Launch test", True),
        ("Conclude review", False),
    ]
    launch = next(c for c in choices if c.trigger == "launch_test")
    assert launch.documents == ("Purpose map", "Action timeline")
    assert 'name="stall_days" value="21"' in page.text
    assert 'id="signoff-launch_test" name="signoff_triggers" value="launch_test" checked' in (
        page.text
    )
    assert 'value="start_planning" checked' not in page.text


def test_saving_changes_what_the_api_answers_and_when_the_caseload_flags_a_team_stalled(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    assert "stalled" in oak_team_flags(client, web_db, program)
    token = as_admin(client, web_db, program)

    posted = save(client, program, token, " 60 ", "launch_test", "conclude_review")
    after = client.get(posted.headers["location"])

    assert (posted.status_code, posted.headers["location"]) == (303, settings_path(program))
    assert after.context["flash"].message == (
        "Settings saved: a team quiet for 60 days is flagged as stalled, and Launch test, "
        "Conclude review need a coach's sign-off."
    )
    assert after.context["stall_days"] == "60"
    assert [c.trigger for c in after.context["choices"] if c.checked] == [
        "launch_test",
        "conclude_review",
    ]
    answer = api_settings(client, web_db, program)
    assert (answer["stall_days"], answer["signoff_triggers"]) == (
        60,
        ["launch_test", "conclude_review"],
    )
    assert "stalled" not in oak_team_flags(client, web_db, program)


def test_unticking_every_trigger_saves_that_no_step_needs_a_signoff(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)
    save(client, program, token, "21", "launch_test")

    posted = save(client, program, token, "14")

    assert saved_settings(web_db, program) == (14, [])
    message = client.get(posted.headers["location"]).context["flash"].message
    assert message.endswith("and no step needs a coach's sign-off.")


@pytest.mark.parametrize(
    ("days", "error"),
    [
        ("0", "Choose a number of days from 1 to 365 (not 0)."),
        ("366", "Choose a number of days from 1 to 365 (not 366)."),
        ("ten", "Give the number of days as a whole number, from 1 to 365."),
        ("2.5", "Give the number of days as a whole number, from 1 to 365."),
        ("-3", "Give the number of days as a whole number, from 1 to 365."),
        ("", "Give the number of days as a whole number, from 1 to 365."),
    ],
)
def test_stall_days_that_are_not_a_whole_number_in_range_come_back_beside_the_field(
    client: TestClient, web_db: Engine, program: SmallProgram, days: str, error: str
) -> None:
    token = as_admin(client, web_db, program)

    page = save(client, program, token, days, "start_planning")

    assert (page.status_code, page.template.name) == (422, "program_settings.html")
    assert page.context["errors"] == {"stall_days": error}
    assert page.context["stall_days"] == days
    assert [c.trigger for c in page.context["choices"] if c.checked] == ["start_planning"]
    assert f'<p class="field-error" id="stall-days-error">{error}</p>' in page.text
    assert 'aria-describedby="stall-days-help stall-days-error" aria-invalid="true"' in page.text
    assert saved_settings(web_db, program) == (21, [])


def test_a_step_no_signoff_can_be_asked_for_is_refused_and_nothing_is_saved(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)

    page = save(client, program, token, "30", "launch_test", "take_off")

    assert page.status_code == 422
    error = page.context["errors"]["signoff_triggers"]
    assert error.startswith("Nothing was saved: no sign-off can be asked for take_off;")
    assert page.context["stall_days"] == "30"
    assert [c.trigger for c in page.context["choices"] if c.checked] == ["launch_test"]
    assert 'id="signoff-error"' in page.text
    assert saved_settings(web_db, program) == (21, [])


@pytest.mark.parametrize("token", [None, "", "0" * 64, csrf.token_for("another session")])
def test_settings_without_the_sessions_token_are_refused(
    client: TestClient, web_db: Engine, program: SmallProgram, token: str | None
) -> None:
    as_admin(client, web_db, program)
    form = {"stall_days": "60", "signoff_triggers": ["launch_test"]}
    if token is not None:
        form["csrf_token"] = token

    posted = client.post(settings_path(program), data=form)

    assert (posted.status_code, posted.template.name) == (403, "error.html")
    assert saved_settings(web_db, program) == (21, [])


@pytest.mark.parametrize("who", STRANGERS)
def test_only_the_programs_admins_may_see_or_change_its_settings(
    client: TestClient, web_db: Engine, program: SmallProgram, who: str
) -> None:
    token = as_stranger(client, web_db, program, who)

    shown = client.get(settings_path(program))
    posted = save(client, program, token, "60", "launch_test")

    assert (shown.status_code, shown.template.name) == (404, "error.html")
    assert "Page program" not in shown.text
    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert saved_settings(web_db, program) == (21, [])


def test_a_site_admin_may_change_any_programs_settings(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_site_admin(client, web_db, settings_path(program))

    posted = save(client, program, token, "7", "start_planning")

    assert posted.status_code == 303
    assert saved_settings(web_db, program) == (7, ["start_planning"])


def test_the_pages_need_a_signed_in_person(client: TestClient, program: SmallProgram) -> None:
    shown = client.get(settings_path(program), follow_redirects=False)

    assert (shown.status_code, shown.headers["location"]) == (303, "/sign-in")


def test_a_program_admin_finds_the_settings_in_the_header_of_the_program_pages(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    as_admin(client, web_db, program)
    schools, settings = (
        client.get(f"/programs/{program.program_id}/{page}") for page in ("schools", "settings")
    )

    path = settings_path(program)
    assert f'<a href="{path}">Program settings</a>' in schools.text.split("<main")[0]
    assert f'<a href="{path}" aria-current="page">Program settings</a>' in settings.text


def test_the_settings_page_is_labelled_in_order_without_inline_code(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = as_admin(client, web_db, program)

    for page in (client.get(settings_path(program)), save(client, program, token, "x")):
        structure = PageStructure(page.text)
        assert structure.headings[0] == 1 and structure.skipped_heading_levels() == []
        assert structure.unlabelled_controls() == []
        assert "<script" not in page.text and "style=" not in page.text
