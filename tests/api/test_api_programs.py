"""A state program over HTTP: enrolments, phases against the calendar, the dashboard and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from api_helpers import (
    Api,
    coach_of,
    decision,
    fire,
    fired,
    member_of,
    new_org,
    new_team_in,
    program_admin,
    put_artifact,
    site_admin,
    start_cycle,
    unique,
    walk_to_decide,
)
from phase_factories import started_phases

from service.organisation import add_school, add_team
from service.store.database import unit_of_work
from service.store.models import utcnow

# Phases are judged against the calendar by today's date: the service's clock stands still in
# each test.
pytestmark = pytest.mark.usefixtures("now")

TABLES = ("phases", "conditions_states", "cycles", "median_days", "stalled", "engagement")
HEADERS = {
    "phases": ["phase", "schools", "behind"],
    "conditions_states": ["condition", "state", "teams"],
    "cycles": ["completed", "revisit", "move_on"],
    "median_days": ["state", "median_days", "stays"],
    "stalled": ["team_id", "team", "school", "days_quiet"],
    "engagement": ["active_teams", "teams", "percent"],
}


def _days_ago(days: int) -> str:
    return (utcnow().date() - dt.timedelta(days=days)).isoformat()


def _enrol(admin: Any, program_id: int, school_id: int, days_ago: int = 0) -> dict[str, Any]:
    response = admin.post(
        f"/api/programs/{program_id}/enrolments",
        json={"school_id": school_id, "cohort": "2025", "started_on": _days_ago(days_ago)},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _another_school(api: Api, program_id: int) -> int:
    with unit_of_work(api.db) as session:
        school = add_school(
            session=session, program_id=program_id, name=unique("School"), code=unique("S")
        )
        return school.id or 0


def _more_schools(api: Api, program_id: int, count: int) -> list[int]:
    with unit_of_work(api.db) as session:
        return [
            add_school(
                session=session, program_id=program_id, name=unique("School"), code=unique("S")
            ).id
            or 0
            for _ in range(count)
        ]


def _phases(admin: Any, program_id: int) -> dict[int, dict[str, Any]]:
    response = admin.get(f"/api/programs/{program_id}/schools/phases")
    assert response.status_code == 200, response.text
    return {row["school_id"]: row for row in response.json()}


def test_a_program_admin_enrols_a_school_and_its_phases_start(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)

    enrolled = _enrol(admin, org.program_id, org.school_id)

    assert (enrolled["school_id"], enrolled["cohort"]) == (org.school_id, "2025")
    row = _phases(admin, org.program_id)[org.school_id]
    assert row["phase_instance_id"] == enrolled["phase_instance_id"]
    assert (row["cohort"], row["started_on"], row["phase"], row["expected_phase"]) == (
        "2025",
        _days_ago(0),
        "designing",
        "designing",
    )
    assert row["behind"] is False
    start = admin.get(f"/api/cycles/{row['phase_instance_id']}/history").json()[0]
    assert (start["reason"], start["actor_id"]) == ("Enrolled in cohort 2025", admin.id)


def test_a_school_a_year_into_designing_is_behind_schedule(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    on_time = _another_school(api, org.program_id)
    _enrol(admin, org.program_id, org.school_id, days_ago=365)
    _enrol(admin, org.program_id, on_time, days_ago=364)

    rows = _phases(admin, org.program_id)

    assert (rows[org.school_id]["expected_phase"], rows[org.school_id]["behind"]) == (
        "implementing",
        True,
    )
    assert (rows[on_time]["expected_phase"], rows[on_time]["behind"]) == ("designing", False)


def test_only_the_programs_own_schools_enrol_and_only_once(api: Api) -> None:
    org, elsewhere = new_org(api.db), new_org(api.db)
    admin = program_admin(api, org.program_id)
    url = f"/api/programs/{org.program_id}/enrolments"
    body = {"cohort": "2025", "started_on": _days_ago(0)}

    foreign = admin.post(url, json={**body, "school_id": elsewhere.school_id})
    _enrol(admin, org.program_id, org.school_id)
    again = admin.post(url, json={**body, "school_id": org.school_id})

    assert foreign.status_code == 422
    assert f"no school {elsewhere.school_id} in program {org.program_id}" in foreign.text
    assert again.status_code == 422
    assert "already enrolled" in again.text
    assert (
        admin.post(url, json={**body, "school_id": org.school_id, "cohort": " "}).status_code == 422
    )


def test_a_phase_override_needs_a_reason_and_keeps_it_in_the_history(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    phases_id = _enrol(admin, org.program_id, org.school_id, days_ago=400)["phase_instance_id"]

    refused = fire(admin, phases_id, "begin_implementing", override=True)
    moved = fired(admin, phases_id, "begin_implementing", override=True, reason="State decision")

    assert refused.status_code == 409
    assert [u["gate"] for u in refused.json()["detail"]["unmet"]] == ["reason_given"]
    assert moved["state"] == "implementing"
    last = admin.get(f"/api/cycles/{phases_id}/history").json()[-1]
    assert (last["trigger"], last["reason"], last["actor_id"]) == (
        "begin_implementing",
        "State decision",
        admin.id,
    )
    [overridden] = last["details"]["overridden"]
    assert overridden["gate"].startswith("school_cycle_reached")
    row = _phases(admin, org.program_id)[org.school_id]
    assert (row["phase"], row["behind"]) == ("implementing", False)


def test_the_schools_phases_come_a_page_at_a_time_that_add_up_to_the_whole_list(
    api: Api,
) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    _more_schools(api, org.program_id, 4)
    _enrol(admin, org.program_id, org.school_id)
    started_phases(api.db, org.school_id)  # a second phases instance: the school counts once
    url = f"/api/programs/{org.program_id}/schools/phases"

    whole = admin.get(url)
    pages = [admin.get(url, params={"limit": 2, "offset": offset}) for offset in (0, 2, 4, 6)]

    codes = [row["code"] for row in whole.json()]
    assert (len(codes), codes) == (5, sorted(codes))
    assert [len(page.json()) for page in pages] == [2, 2, 1, 0]
    assert [row for page in pages for row in page.json()] == whole.json()
    assert {whole.headers["x-total-count"]} | {p.headers["x-total-count"] for p in pages} == {"5"}
    assert admin.get(url, params={"limit": 0}).status_code == 422
    assert admin.get(url, params={"offset": -1}).status_code == 422


def test_the_schools_phases_come_a_hundred_to_a_page_unless_asked_for_more(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    _more_schools(api, org.program_id, 100)
    url = f"/api/programs/{org.program_id}/schools/phases"

    first, more = admin.get(url), admin.get(url, params={"limit": 500})

    assert (len(first.json()), first.headers["x-total-count"]) == (100, "101")
    assert (len(more.json()), more.headers["x-total-count"]) == (101, "101")
    assert admin.get(url, params={"limit": 501}).status_code == 422


def _busy_program(api: Api) -> tuple[Any, Any]:
    """A school enrolled a year ago, one team at `decide`, one team that never started."""
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    _enrol(admin, org.program_id, org.school_id, days_ago=365)
    member = member_of(api, org.team_id)
    cycle_id = start_cycle(member, org.team_id)["cycle_id"]
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("revisit"))
    fired(member, cycle_id, "revisit")
    new_team_in(api.db, org.school_id)
    return org, admin


def test_the_dashboard_gives_each_figure_as_a_named_table(api: Api) -> None:
    org, admin = _busy_program(api)

    response = admin.get(f"/api/programs/{org.program_id}/dashboard")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["phases"][0] == {"phase": "designing", "schools": 1, "behind": 1}
    assert body["conditions_states"] == [
        {"condition": "vision-and-strategy", "state": "why", "teams": 1}
    ]
    assert body["cycles"] == {"completed": 1, "revisit": 1, "move_on": 0}
    assert [(r["state"], r["stays"]) for r in body["median_days"]] == [
        ("why", 1),
        ("how", 1),
        ("implement", 1),
        ("review", 1),
        ("decide", 1),
    ]
    [stalled] = body["stalled"]
    assert (stalled["days_quiet"], body["stalled_page"]) == (
        None,
        {"total": 1, "limit": 100, "offset": 0},
    )
    assert body["engagement"] == {"active_teams": 1, "teams": 2, "percent": 50.0}


def test_the_stalled_teams_page_with_limit_and_offset(api: Api) -> None:
    org, admin = _busy_program(api)
    new_team_in(api.db, org.school_id)
    url = f"/api/programs/{org.program_id}/dashboard"

    second = admin.get(url, params={"limit": 1, "offset": 1}).json()

    assert len(second["stalled"]) == 1
    assert second["stalled_page"] == {"total": 2, "limit": 1, "offset": 1}
    assert second["stalled"][0] == admin.get(url).json()["stalled"][1]
    assert admin.get(url, params={"limit": 0}).status_code == 422


def _parsed(response: Any) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(response.text))
    return list(reader.fieldnames or []), list(reader)


def _as_cells(table: Any) -> list[dict[str, str]]:
    rows = table if isinstance(table, list) else [table]
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("table", TABLES)
def test_every_table_downloads_as_csv_with_exactly_the_jsons_figures(api: Api, table: str) -> None:
    org, admin = _busy_program(api)
    url = f"/api/programs/{org.program_id}/dashboard"

    response = admin.get(url, params={"format": "csv", "table": table})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="program-{org.program_id}-{table}.csv"'
    )
    header, rows = _parsed(response)
    assert header == HEADERS[table]
    assert rows == _as_cells(admin.get(url).json()[table])
    assert rows, "each table of the busy program has at least one row"


def _long_tables(response: Any) -> dict[str, list[dict[str, str]]]:
    """The long CSV's cells gathered back into tables of rows, checking the rows' numbering."""
    header, cells = _parsed(response)
    assert header == ["table", "row", "column", "value"]
    tables: dict[str, dict[int, dict[str, str]]] = {}
    for cell in cells:
        row = tables.setdefault(cell["table"], {}).setdefault(int(cell["row"]), {})
        row[cell["column"]] = cell["value"]
    for name, rows in tables.items():
        assert list(rows) == list(range(1, len(rows) + 1)), name
    return {name: list(rows.values()) for name, rows in tables.items()}


def test_every_table_downloads_as_one_long_csv_with_exactly_the_jsons_figures(api: Api) -> None:
    org, admin = _busy_program(api)
    new_team_in(api.db, org.school_id)
    url = f"/api/programs/{org.program_id}/dashboard"
    page = {"limit": 1, "offset": 1}

    response = admin.get(url, params={"format": "csv", **page})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="program-{org.program_id}-dashboard.csv"'
    )
    body = admin.get(url, params=page).json()
    tables = _long_tables(response)
    assert list(tables) == ["dashboard", *TABLES[:-1], "stalled_page", "engagement"]
    for table in (*TABLES, "stalled_page"):
        assert tables[table] == _as_cells(body[table]), table
    single = {k: body[k] for k in ("program_id", "program", "today", "stall_days")}
    assert tables["dashboard"] == _as_cells(single)
    assert tables["stalled_page"] == [{"total": "2", "limit": "1", "offset": "1"}]


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_quoted(sqlite_api: Api) -> None:
    org = new_org(sqlite_api.db)
    admin = program_admin(sqlite_api, org.program_id)
    with unit_of_work(sqlite_api.db) as session:
        add_team(session=session, school_id=org.school_id, name='=HYPERLINK("x")')
    url = f"/api/programs/{org.program_id}/dashboard"
    _, rows = _parsed(admin.get(url, params={"format": "csv", "table": "stalled"}))
    _, cells = _parsed(admin.get(url, params={"format": "csv"}))
    assert '\'=HYPERLINK("x")' in [r["team"] for r in rows]
    assert '\'=HYPERLINK("x")' in [c["value"] for c in cells if c["column"] == "team"]


@pytest.mark.parametrize(
    "params",
    [
        {"format": "csv", "table": "teams"},
        {"format": "xlsx", "table": "phases"},
        {"format": "xlsx"},
        {"table": "phases"},
    ],
    ids=["unknown-table", "unknown-format", "unknown-format-alone", "table-without-csv"],
)
def test_an_unknown_table_or_format_is_refused(sqlite_api: Api, params: dict[str, str]) -> None:
    org = new_org(sqlite_api.db)
    admin = program_admin(sqlite_api, org.program_id)
    response = admin.get(f"/api/programs/{org.program_id}/dashboard", params=params)
    assert response.status_code == 422


def test_only_the_programs_admins_see_its_dashboard(api: Api) -> None:
    org, other = new_org(api.db), new_org(api.db)
    url = f"/api/programs/{org.program_id}/dashboard"
    callers = {
        "team member": member_of(api, org.team_id),
        "coach": coach_of(api, org.team_id),
        "admin of another program": program_admin(api, other.program_id),
        "program admin": program_admin(api, org.program_id),
        "site admin": site_admin(api),
    }

    answers = {who: caller.get(url).status_code for who, caller in callers.items()}

    assert answers == {
        "team member": 404,
        "coach": 404,
        "admin of another program": 404,
        "program admin": 200,
        "site admin": 200,
    }
    hidden = callers["coach"].get(url, params={"format": "csv", "table": "stalled"})
    assert hidden.json() == {"detail": f"program {org.program_id} not found"}


def test_only_the_programs_admins_enrol_schools_and_list_phases(api: Api) -> None:
    org, other = new_org(api.db), new_org(api.db)
    body = {"school_id": org.school_id, "cohort": "2025", "started_on": _days_ago(0)}
    for caller in (
        member_of(api, org.team_id),
        coach_of(api, org.team_id),
        program_admin(api, other.program_id),
    ):
        assert (
            caller.post(f"/api/programs/{org.program_id}/enrolments", json=body).status_code == 404
        )
        assert caller.get(f"/api/programs/{org.program_id}/schools/phases").status_code == 404
