"""The program outcomes page: the API's report between two waves, in tables and two charts,
with the report's CSV; only the program's admins (and site admins) may open it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from fastapi.testclient import TestClient
from page_factories import ON_BOTH_DATABASES, browsing_as, new_person, new_team
from page_html import PageStructure
from sqlalchemy import Engine
from sqlmodel import select
from survey_page_factories import imported, systems_file

from service.demo_surveys import seed_surveys
from service.errors import InvalidRequest
from service.organisation import add_school, create_program
from service.store.database import unit_of_work
from service.store.models import Person, Team
from service.surveys.outcomes import program_outcomes
from service.surveys.report import OutcomesOut, outcomes_csv, outcomes_out
from service.web.pages import survey_pages
from service.web.pages.cycle_view import condition_titles

pytestmark = ON_BOTH_DATABASES
FIRST, SECOND = "2024-25", "2025-26"
"""The school years of the demo's two waves of both surveys."""


def surveyed_program(db: Engine, schools: int = 4) -> int:
    """A program whose schools answered both surveys in two waves, 8 people each time."""
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name="Survey page program").id or 0
        added = [
            add_school(
                session=session,
                program_id=program_id,
                name=f"School {n}",
                code=uuid.uuid4().hex[:8],
            )
            for n in range(1, schools + 1)
        ]
        seed_surveys(session, program_id=program_id, schools=added)
    return program_id


def report(db: Engine, program_id: int, from_wave: str, to_wave: str) -> OutcomesOut:
    with unit_of_work(db, write=False) as session:
        return outcomes_out(
            program_outcomes(
                session=session, program_id=program_id, from_wave=from_wave, to_wave=to_wave
            )
        )


def site_admin(db: Engine) -> str:
    email = new_person(db, name="Sam Site")
    with unit_of_work(db) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        person.is_site_admin = True
    return email


def as_admin(client: TestClient, db: Engine, program_id: int) -> TestClient:
    return browsing_as(client, db, new_person(db, name="Pat Admin", admin_of=(program_id,)))


def test_the_page_shows_the_apis_report_for_the_two_latest_waves(
    client: TestClient, web_db: Engine
) -> None:
    program_id = surveyed_program(web_db)
    as_admin(client, web_db, program_id)

    page = client.get(f"/programs/{program_id}/outcomes")

    assert (page.status_code, page.template.name) == (200, "survey_outcomes.html")
    shown = page.context["outcomes"]
    expected = report(web_db, program_id, FIRST, SECOND)
    assert shown["report"] == expected
    assert [line.title for line in shown["conditions"]] == list(condition_titles().values())
    assert [line.improved for line in shown["conditions"]] == [
        c.improved for c in expected.conditions
    ]
    assert shown["efficacy"].schools_improved == expected.efficacy.schools_increased
    k, total = expected.conditions_improved, expected.conditions_total
    assert f"Improved in <strong>{k} of {total}</strong> conditions" in page.text
    assert f"<strong>{expected.efficacy.percent_increased}%</strong> of schools" in page.text
    structure = PageStructure(page.text)
    assert (structure.skipped_heading_levels(), structure.unlabelled_controls()) == ([], [])


def test_the_charts_draw_every_compared_school_and_every_scale(
    client: TestClient, web_db: Engine
) -> None:
    program_id = surveyed_program(web_db, schools=3)
    as_admin(client, web_db, program_id)

    page = client.get(f"/programs/{program_id}/outcomes")

    outcomes = page.context["outcomes"]
    assert 'id="mean-change-chart"' in str(outcomes["change_chart"])
    assert str(outcomes["change_chart"]).count('class="bar ') == 8
    spread_chart = str(outcomes["spread_chart"])
    assert spread_chart.count('class="chart-dot"') == 8 * 3
    assert [line.spread.n for line in outcomes["spreads"]] == [3] * 8
    assert spread_chart in page.text


def test_two_waves_can_be_picked_in_either_order(client: TestClient, web_db: Engine) -> None:
    program_id = surveyed_program(web_db, schools=2)
    as_admin(client, web_db, program_id)

    page = client.get(f"/programs/{program_id}/outcomes", params={"from": SECOND, "to": FIRST})

    assert page.status_code == 200
    assert page.context["outcomes"]["report"] == report(web_db, program_id, SECOND, FIRST)
    assert [w.label for w in page.context["waves"]] == [FIRST, SECOND]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "1999-00"}, "There are no survey responses in a wave called “1999-00”"),
        ({"from": SECOND, "to": SECOND}, "Pick two different waves to compare."),
        ({"to": "x" * 300}, "“" + "x" * 50 + "…”"),
    ],
)
def test_waves_that_cannot_be_compared_are_refused_with_the_form_to_pick_again(
    client: TestClient, web_db: Engine, params: dict[str, str], message: str
) -> None:
    program_id = surveyed_program(web_db, schools=1)
    as_admin(client, web_db, program_id)

    page = client.get(f"/programs/{program_id}/outcomes", params=params)

    assert page.status_code == 422
    assert page.context["outcomes"] is None
    assert message in page.context["error"]
    assert 'id="from-wave"' in page.text


def test_a_program_with_fewer_than_two_waves_says_what_the_page_needs(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    as_admin(client, web_db, team.program_id)

    page = client.get(f"/programs/{team.program_id}/outcomes")
    download = client.get(f"/programs/{team.program_id}/outcomes.csv")

    assert (page.status_code, page.context["choice"], page.context["outcomes"]) == (200, None, None)
    assert "compare two survey waves; this program has 0 so far" in page.text
    assert download.status_code == 404


def test_the_csv_download_is_the_reports_own_csv(client: TestClient, web_db: Engine) -> None:
    program_id = surveyed_program(web_db, schools=2)
    as_admin(client, web_db, program_id)
    link = client.get(f"/programs/{program_id}/outcomes").context["outcomes"]["csv_path"]

    download = client.get(link)

    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert download.text == outcomes_csv(report(web_db, program_id, FIRST, SECOND))
    refused = client.get(f"/programs/{program_id}/outcomes.csv", params={"to": "nope"})
    assert refused.status_code == 422


def test_a_small_school_is_left_out_of_every_figure_and_chart_and_never_named(
    client: TestClient, web_db: Engine
) -> None:
    program_id = surveyed_program(web_db, schools=2)
    with unit_of_work(web_db) as session:
        add_school(session=session, program_id=program_id, name="Tiny Rural", code="TINY")
    for day in (dt.date(2024, 10, 1), dt.date(2025, 10, 1)):
        rows = [("TINY", {"vision-and-strategy": 1 + n}) for n in range(3)]
        imported(web_db, program_id, systems_file(web_db, rows, day=day))
    as_admin(client, web_db, program_id)

    page = client.get(f"/programs/{program_id}/outcomes")

    outcomes = page.context["outcomes"]
    assert outcomes["suppressed"] == 1
    assert outcomes["report"] == report(web_db, program_id, FIRST, SECOND)
    assert outcomes["conditions"][0].schools_compared == 2
    assert "Tiny Rural" not in page.text
    assert "1 school score with fewer are suppressed" in page.text


def test_only_the_programs_admins_and_site_admins_see_its_outcomes(
    client: TestClient, web_db: Engine
) -> None:
    program_id = surveyed_program(web_db, schools=1)
    other = new_team(web_db)
    member = new_person(web_db, member_of=(new_team(web_db).team_id,))
    path = f"/programs/{program_id}/outcomes"

    assert client.get(path, follow_redirects=False).status_code == 303
    browsing_as(client, web_db, new_person(web_db, admin_of=(other.program_id,)))
    assert client.get(path).status_code == 404
    assert client.get(f"{path}.csv").status_code == 404
    browsing_as(client, web_db, member)
    assert client.get(path).status_code == 404
    browsing_as(client, web_db, site_admin(web_db))
    assert client.get(path).status_code == 200


def test_the_dashboard_and_the_schools_page_lead_to_the_outcomes_and_each_profile(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    with unit_of_work(web_db, write=False) as session:
        school_id = session.exec(select(Team.school_id).where(Team.id == team.team_id)).one()
    as_admin(client, web_db, team.program_id)
    outcomes = f'href="/programs/{team.program_id}/outcomes"'

    assert outcomes in client.get(f"/programs/{team.program_id}/dashboard").text
    schools = client.get(f"/programs/{team.program_id}/schools").text
    assert outcomes in schools
    assert f'href="/schools/{school_id}/profile"' in schools


def test_a_comparison_the_service_refuses_is_a_422_with_its_reason_on_page_and_csv(
    client: TestClient, web_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = surveyed_program(web_db, schools=1)
    as_admin(client, web_db, program_id)
    reason = "wave '2025-26' has responses to two instruments that both measure 'efficacy'"

    def refuse(**_: object) -> None:
        raise InvalidRequest(reason)

    monkeypatch.setattr(survey_pages, "program_outcomes", refuse)
    page = client.get(f"/programs/{program_id}/outcomes")
    download = client.get(f"/programs/{program_id}/outcomes.csv")

    assert (page.status_code, page.context["error"], page.context["outcomes"]) == (
        422,
        reason,
        None,
    )
    assert download.status_code == 422
    assert "both measure" in download.text
