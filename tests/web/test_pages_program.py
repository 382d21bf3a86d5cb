"""The program dashboard page: the service's figures in tables, each a CSV the API would serve."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from page_factories import new_person, new_team, signed_in
from page_html import PageStructure
from program_factories import SmallProgram, small_program
from sqlalchemy import Engine
from sqlmodel import select

from service.program_dashboard import program_dashboard
from service.security import issue_token
from service.store.database import unit_of_work
from service.store.models import Person
from service.web.pages.program_dashboard_view import GridCell
from service.web.program_schemas import TABLE_ROWS

# The dashboard judges stalls by today's date: the service's clock stands still in each test.
pytestmark = pytest.mark.usefixtures("now")


def admin_of(db: Engine, program: SmallProgram) -> str:
    return new_person(db, name="Pat Admin", admin_of=(program.program_id,))


def admin_with_api_token(client: TestClient, db: Engine, program: SmallProgram) -> str:
    """Sign the program's admin in; returns their bearer token for the API."""
    email = admin_of(db, program)
    signed_in(client, email)
    with unit_of_work(db) as session:
        person = session.exec(select(Person).where(Person.email == email)).one()
        return issue_token(
            session=session, person_id=person.id or 0, kind="api", ttl=dt.timedelta(hours=1)
        )


def dashboard_path(program: SmallProgram, query: str = "") -> str:
    return f"/programs/{program.program_id}/dashboard{query}"


def test_the_dashboard_shows_the_services_figures_in_every_table(
    client: TestClient, web_db: Engine, program: SmallProgram, now: dt.datetime
) -> None:
    signed_in(client, admin_of(web_db, program))

    page = client.get(dashboard_path(program))

    assert (page.status_code, page.template.name) == (200, "program_dashboard.html")
    with unit_of_work(web_db, write=False) as session:
        expected = program_dashboard(
            session=session, program_id=program.program_id, today=now.date(), stalled_limit=25
        )
    context = page.context
    assert context["dashboard"] == expected
    assert [(p.title, p.schools, p.behind) for p in context["phase_lines"]] == [
        ("Designing", 2, 1),
        ("Implementing", 0, 0),
        ("Cultivating", 0, 0),
        ("Sustaining", 0, 0),
    ]
    assert (context["schools"], context["behind"]) == (2, 1)
    rows = {row.title: row for row in context["grid_rows"]}
    assert [c.label for c in context["grid_columns"]] == [
        "Why",
        "How",
        "Implement",
        "Review",
        "Decide",
        "Closed",
    ]
    assert rows["Vision and strategy"].cells[0] == GridCell(1, 4)
    assert rows["Vision and strategy"].cells[4] == GridCell(1, 4)
    assert rows["Vision and strategy"].total == 2
    assert rows["Shared influence"].total == 0
    assert (expected.cycles.completed, expected.cycles.revisit) == (1, 0)
    assert [(d.label, d.median_days, d.stays) for d in context["durations"]] == [
        ("Why", 2.0, 1),
        ("How", 2.0, 1),
        ("Implement", 3.0, 1),
        ("Review", 3.0, 1),
    ]
    assert [(s.team, s.days_quiet) for s in expected.stalled] == [
        ("Oak quiet team", None),
        ("Oak team", 40),
    ]
    assert (expected.engagement.active_teams, expected.engagement.teams) == (1, 3)
    assert "33.3%" in page.text and "Never active" in page.text
    assert set(context["downloads"]) == set(TABLE_ROWS)
    for href in context["downloads"].values():
        assert f'href="{href.replace("&", "&amp;")}"' in page.text


def test_each_download_is_the_csv_the_api_serves_for_the_same_table(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin_with_api_token(client, web_db, program)
    downloads = client.get(dashboard_path(program)).context["downloads"]

    for table, href in downloads.items():
        page_csv = client.get(href)
        query = href.partition("?")[2]
        api_csv = client.get(
            f"/api/programs/{program.program_id}/dashboard?format=csv&{query}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert page_csv.status_code == 200, table
        assert page_csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert page_csv.headers["content-disposition"] == (
            f'attachment; filename="program-{program.program_id}-{table}.csv"'
        )
        assert page_csv.headers["cache-control"] == "no-store"
        assert page_csv.text == api_csv.text, table
        header = next(csv.reader(io.StringIO(page_csv.text)))
        assert header == list(TABLE_ROWS[table].model_fields), table


def test_the_csv_rows_match_the_tables_on_the_page(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    signed_in(client, admin_of(web_db, program))
    downloads = client.get(dashboard_path(program)).context["downloads"]

    def rows(table: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(client.get(downloads[table]).text)))

    assert [(r["phase"], r["schools"], r["behind"]) for r in rows("phases")] == [
        ("designing", "2", "1"),
        ("implementing", "0", "0"),
        ("cultivating", "0", "0"),
        ("sustaining", "0", "0"),
    ]
    assert [(r["team"], r["school"], r["days_quiet"]) for r in rows("stalled")] == [
        ("Oak quiet team", "Oak", ""),
        ("Oak team", "Oak", "40"),
    ]
    assert rows("cycles") == [{"completed": "1", "revisit": "0", "move_on": "0"}]
    assert rows("engagement") == [{"active_teams": "1", "teams": "3", "percent": "33.3"}]


def test_stalled_teams_come_a_page_at_a_time_and_download_that_page(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    signed_in(client, admin_of(web_db, program))

    second = client.get(dashboard_path(program, "?limit=1&offset=1"))
    first = client.get(second.context["stalled_paging"].previous_href)

    paging = second.context["stalled_paging"]
    assert [s.team for s in second.context["dashboard"].stalled] == ["Oak team"]
    assert (paging.total, paging.first, paging.last, paging.next_href) == (2, 2, 2, None)
    assert paging.previous_href == f"/programs/{program.program_id}/dashboard?limit=1#stalled"
    assert [s.team for s in first.context["dashboard"].stalled] == ["Oak quiet team"]
    download = client.get(second.context["downloads"]["stalled"])
    assert [r["team"] for r in csv.DictReader(io.StringIO(download.text))] == ["Oak team"]


def test_every_table_downloads_as_the_apis_one_long_csv_of_the_page_shown(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    token = admin_with_api_token(client, web_db, program)
    page = client.get(dashboard_path(program, "?limit=1&offset=1"))
    href = page.context["all_tables_href"]

    download = client.get(href)
    api_csv = client.get(
        f"/api/programs/{program.program_id}/dashboard?format=csv&limit=1&offset=1",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert f'href="{href.replace("&", "&amp;")}"' in page.text
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        f'attachment; filename="program-{program.program_id}-dashboard.csv"'
    )
    assert download.headers["cache-control"] == "no-store"
    assert download.text == api_csv.text
    cells = list(csv.DictReader(io.StringIO(download.text)))
    assert [c["value"] for c in cells if c["table"] == "stalled" and c["column"] == "team"] == [
        "Oak team"
    ]


@pytest.mark.parametrize("path", ["dashboard.csv?table=passwords", "dashboard.csv?table="])
def test_a_table_the_dashboard_does_not_have_is_not_found(
    client: TestClient, web_db: Engine, program: SmallProgram, path: str
) -> None:
    signed_in(client, admin_of(web_db, program))

    response = client.get(f"/programs/{program.program_id}/{path}")

    assert (response.status_code, response.template.name) == (404, "error.html")


@pytest.mark.parametrize("who", ["member", "coach", "other program's admin"])
@pytest.mark.parametrize("path", ["dashboard", "dashboard.csv?table=stalled", "schools"])
def test_only_the_programs_admins_may_open_its_pages(
    client: TestClient, web_db: Engine, program: SmallProgram, who: str, path: str
) -> None:
    elsewhere = new_team(web_db)
    team_id = program.teams["oak"]
    person = {
        "member": lambda: new_person(web_db, member_of=(team_id,)),
        "coach": lambda: new_person(web_db, coach_of=(team_id,)),
        "other program's admin": lambda: new_person(web_db, admin_of=(elsewhere.program_id,)),
    }[who]()
    signed_in(client, person)

    response = client.get(f"/programs/{program.program_id}/{path}")

    assert (response.status_code, response.template.name) == (404, "error.html")
    assert "Oak" not in response.text


def test_a_site_admin_may_open_any_programs_pages(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    email = new_person(web_db, name="Sam Site")
    with unit_of_work(web_db) as session:
        session.exec(select(Person).where(Person.email == email)).one().is_site_admin = True
    signed_in(client, email)

    for path in ("dashboard", "schools"):
        assert client.get(f"/programs/{program.program_id}/{path}").status_code == 200
    assert [p for p in client.get("/programs").context["programs"] if p[1] == "Page program"]


def test_the_pages_need_a_signed_in_person(client: TestClient, program: SmallProgram) -> None:
    for path in ("dashboard", "dashboard.csv?table=phases", "schools"):
        response = client.get(f"/programs/{program.program_id}/{path}", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in")


def test_a_program_admin_finds_the_pages_in_the_header(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    signed_in(client, admin_of(web_db, program))
    dashboard, teams = client.get(dashboard_path(program)), client.get("/teams")

    base = f"/programs/{program.program_id}"
    header = teams.text.split("<main")[0]
    assert f'<a href="{base}/dashboard">Program dashboard</a>' in header
    assert f'<a href="{base}/schools">Schools</a>' in header
    assert f'href="{base}/dashboard" aria-current="page"' in dashboard.text
    assert 'href="/programs"' in teams.text.split("<main")[1]


def test_an_admin_of_two_programs_chooses_one_from_the_programs_page(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    other = small_program(web_db, name="Another program")
    signed_in(client, new_person(web_db, admin_of=(program.program_id, other.program_id)))

    listing = client.get("/programs")
    schools = client.get(f"/programs/{other.program_id}/schools")

    assert listing.template.name == "programs.html"
    assert listing.context["programs"] == [
        (other.program_id, "Another program"),
        (program.program_id, "Page program"),
    ]
    header = schools.text.split("<main")[0]
    assert '<a href="/programs">Programs</a>' in header
    assert f'href="/programs/{other.program_id}/schools" aria-current="page"' in header


def test_someone_who_runs_no_program_has_no_programs_page_or_links(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    signed_in(client, new_person(web_db, member_of=(program.teams["oak"],)))

    team_page = client.get(f"/teams/{program.teams['oak']}")

    assert client.get("/programs").status_code == 404
    header = team_page.text.split("<main")[0]
    assert "Program dashboard" not in header and 'href="/programs' not in header


def test_the_dashboard_is_labelled_in_order_without_inline_code(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    signed_in(client, admin_of(web_db, program))

    page = client.get(dashboard_path(program))

    structure = PageStructure(page.text)
    assert structure.headings[0] == 1 and structure.skipped_heading_levels() == []
    assert structure.unlabelled_controls() == []
    assert "<script" not in page.text and "style=" not in page.text
    assert page.text.count("Download CSV") == len(TABLE_ROWS)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
