"""A coach's pages: the caseload, the stage board, and logging check-ins from a team's page."""

from __future__ import annotations

import datetime as dt

import pytest
from caseload_factories import checked_in
from factories import action_timeline, save
from fastapi.testclient import TestClient
from page_factories import form_token, new_person, new_team, signed_in
from page_html import PageStructure
from sqlalchemy import Engine
from sqlmodel import select

from service.checkins import MODES
from service.instances import start_cycle, start_instance
from service.store.database import unit_of_work
from service.store.models import CheckIn, Team, utcnow
from service.web.api.coaching import CYCLE_STATES
from service.web.pages.caseload_view import FLAG_LABELS
from service.web.pages.checkin_view import MODE_LABELS

# The caseload judges by today's date: the service's clock stands still in each test (conftest.now).
pytestmark = pytest.mark.usefixtures("now")


def team_in(
    db: Engine,
    condition: str | None = "shared-influence",
    *,
    name: str = "Maple team",
    quiet_days: int = 0,
) -> tuple[int, int]:
    """A team (its own program) and its cycle's id, started `quiet_days` ago; 0 for no cycle."""
    team = new_team(db, name)
    if condition is None:
        return team.team_id, 0
    with unit_of_work(db) as session:
        cycle = start_cycle(
            session=session,
            team_id=team.team_id,
            condition=condition,
            reason="greatest_need: set up by the test",
            actor_id=None,
            now=utcnow() - dt.timedelta(days=quiet_days),
        )
        return team.team_id, cycle.id or 0


def in_designing_phase(db: Engine, team_id: int) -> None:
    with unit_of_work(db) as session:
        school_id = session.get_one(Team, team_id).school_id
        start_instance(
            session=session,
            workflow_name="program-phases",
            actor_id=None,
            reason=None,
            school_id=school_id,
        )


def overdue_action(db: Engine, cycle_id: int) -> None:
    late = {"items": [{**action_timeline()["items"][0], "due": "2020-01-15"}]}
    save(db, cycle_id, "action_timeline", late)


@pytest.fixture
def caseload(web_db: Engine, now: dt.datetime) -> dict[str, int]:
    """Three teams: one quiet for 40 days, one with an overdue action, one doing fine."""
    stalled, _ = team_in(web_db, "shared-influence", name="Birch team", quiet_days=40)
    overdue, overdue_cycle = team_in(web_db, "vision-and-strategy", name="Cedar team")
    overdue_action(web_db, overdue_cycle)
    fine, _ = team_in(web_db, "vision-and-strategy", name="Alder team", quiet_days=2)
    in_designing_phase(web_db, fine)
    for team_id in (overdue, fine):
        checked_in(web_db, team_id, now.date())
    return {"stalled": stalled, "overdue": overdue, "fine": fine}


def coach_of(db: Engine, *team_ids: int) -> str:
    return new_person(db, name="Chris Coach", coach_of=team_ids)


def test_the_caseload_shows_each_team_worst_first_in_readable_words(
    client: TestClient, web_db: Engine, caseload: dict[str, int], now: dt.datetime
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))

    page = client.get("/coach/caseload")

    assert (page.status_code, page.template.name) == (200, "caseload.html")
    assert [row.team_id for row in page.context["lines"]] == [
        caseload["stalled"],
        caseload["overdue"],
        caseload["fine"],
    ]
    stalled, overdue, fine = page.context["lines"]
    assert (stalled.condition, stalled.state, stalled.days_in_state) == (
        "Shared influence",
        "Why",
        40,
    )
    assert stalled.owed == ("Theory of action",)
    assert stalled.flags == (("stalled", "Stalled"), ("checkin_due", "Check-in due"))
    assert stalled.last_checkin is None
    assert overdue.flags == (("overdue", "Overdue"),)
    assert [(i.action, i.owner, i.due) for i in overdue.overdue] == [
        ("Schedule it", "Principal", dt.date(2020, 1, 15))
    ]
    assert (fine.flags, fine.phase, fine.last_checkin) == ((), "Designing", now.date())
    assert {c.flag: c.count for c in page.context["counts"]} == {
        "stalled": 1,
        "overdue": 1,
        "checkin_due": 1,
    }
    assert "Check-in due" in page.text and 'href="/teams/{}"'.format(caseload["fine"]) in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flag=stalled", ["stalled"]),
        ("flag=overdue", ["overdue"]),
        ("condition=vision-and-strategy", ["overdue", "fine"]),
        ("state=why", ["stalled", "overdue", "fine"]),
        ("state=how", []),
        ("phase=designing", ["fine"]),
        ("condition=vision-and-strategy&flag=checkin_due", []),
    ],
)
def test_the_filters_narrow_the_rows_but_not_the_flag_counts(
    client: TestClient, web_db: Engine, caseload: dict[str, int], query: str, expected: list[str]
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))

    page = client.get(f"/coach/caseload?{query}")

    assert [row.team_id for row in page.context["lines"]] == [caseload[k] for k in expected]
    assert page.context["filtered"] is True
    assert [c.count for c in page.context["counts"]] == [1, 1, 1]
    assert page.context["paging"].total == len(expected)
    if not expected:
        assert "No team on your caseload matches these filters." in page.text


def test_a_column_heading_sorts_by_it_and_says_so(
    client: TestClient, web_db: Engine, caseload: dict[str, int]
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))

    by_name = client.get("/coach/caseload?sort=team&dir=asc")
    by_days = client.get("/coach/caseload?sort=days_in_state&dir=desc")

    assert [row.team for row in by_name.context["lines"]] == [
        "Alder team",
        "Birch team",
        "Cedar team",
    ]
    team_header = by_name.context["headers"][0]
    assert (team_header.aria_sort, team_header.href) == (
        "ascending",
        "/coach/caseload?sort=team&dir=desc",
    )
    assert 'aria-sort="ascending"' in by_name.text
    assert by_name.text.count("aria-sort=") == 1
    assert [row.days_in_state for row in by_days.context["lines"]] == [40, 2, 0]
    assert by_days.context["sorted_by"] == "days in stage"
    days_header = next(h for h in by_days.context["headers"] if h.label == "Days in stage")
    assert days_header.aria_sort == "descending"


def test_sort_links_keep_the_filters_and_the_filter_form_keeps_the_sort(
    client: TestClient, web_db: Engine, caseload: dict[str, int]
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))

    page = client.get("/coach/caseload?condition=vision-and-strategy&sort=team&dir=asc")

    school = page.context["headers"][1]
    assert school.href == "/coach/caseload?condition=vision-and-strategy&sort=school&dir=asc"
    assert page.context["kept"] == (("sort", "team"), ("dir", "asc"))
    assert page.context["clear_href"] == "/coach/caseload?sort=team&dir=asc"


def test_values_the_page_does_not_know_are_ignored(
    client: TestClient, web_db: Engine, caseload: dict[str, int]
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))

    page = client.get("/coach/caseload?flag=bogus&state=<b>&sort=password&limit=x&offset=-3")

    assert page.status_code == 200
    query = page.context["query"]
    assert (query.flag, query.state, query.sort, query.limit, query.offset) == (
        None,
        None,
        None,
        25,
        0,
    )
    assert len(page.context["lines"]) == 3


def test_a_long_caseload_comes_in_pages_with_previous_and_next_links(
    client: TestClient, web_db: Engine
) -> None:
    teams = [team_in(web_db, name=f"Team {n}", quiet_days=n)[0] for n in range(5)]
    signed_in(client, coach_of(web_db, *teams))

    middle = client.get("/coach/caseload?limit=2&offset=2")
    last = client.get(middle.context["paging"].next_href)

    paging = middle.context["paging"]
    assert [row.team for row in middle.context["lines"]] == ["Team 2", "Team 1"]
    assert (paging.total, paging.first, paging.last) == (5, 3, 4)
    assert paging.previous_href == "/coach/caseload?limit=2"
    assert paging.next_href == "/coach/caseload?limit=2&offset=4"
    assert [row.team for row in last.context["lines"]] == ["Team 0"]
    assert last.context["paging"].next_href is None
    assert 'rel="prev"' in last.text


def test_someone_who_coaches_no_team_is_told_why_the_caseload_is_empty(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    caseload = client.get("/coach/caseload")
    board = client.get("/coach/stage-board")

    assert (caseload.status_code, caseload.context["team_count"]) == (200, 0)
    assert caseload.context["lines"] == []
    assert "You do not coach any teams yet" in caseload.text
    assert "You do not coach any teams yet" in board.text
    assert 'href="/coach/caseload"' not in caseload.text.split("<main")[0]


def test_the_pages_need_a_signed_in_person(client: TestClient) -> None:
    for path in ("/coach/caseload", "/coach/stage-board"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in")


def test_the_stage_board_counts_teams_by_condition_and_stage_and_links_to_them(
    client: TestClient, web_db: Engine, caseload: dict[str, int]
) -> None:
    idle, _ = team_in(web_db, None, name="Oak team")
    signed_in(client, coach_of(web_db, idle, *caseload.values()))

    page = client.get("/coach/stage-board")

    assert (page.status_code, page.template.name) == (200, "stage_board.html")
    rows = {row.condition: row for row in page.context["rows"]}
    assert len(rows) == 7
    assert [c.state for c in page.context["columns"]] == list(CYCLE_STATES)
    assert page.context["columns"][2].label == "Implement"
    vision, shared = rows["vision-and-strategy"].cells[0], rows["shared-influence"].cells[0]
    assert (vision.count, vision.shade) == (2, 4)
    assert vision.href == "/coach/caseload?condition=vision-and-strategy&state=why"
    assert (shared.count, shared.shade) == (1, 2)
    empty = rows["vision-and-strategy"].cells[1]
    assert (empty.count, empty.shade, empty.href) == (0, 0, None)
    assert rows["shared-influence"].title == "Shared influence"
    assert page.context["without_cycle"] == 1
    assert [c.total for c in page.context["columns"]] == [3, 0, 0, 0, 0, 0]
    assert 'class="heat heat-4"' in page.text and "style=" not in page.text
    filtered = client.get(vision.href)
    assert {row.team_id for row in filtered.context["lines"]} == {
        caseload["overdue"],
        caseload["fine"],
    }


def test_the_coaching_pages_are_labelled_in_order_and_linked_from_the_header(
    client: TestClient, web_db: Engine, caseload: dict[str, int]
) -> None:
    signed_in(client, coach_of(web_db, *caseload.values()))
    pages = {
        "caseload": client.get("/coach/caseload"),
        "board": client.get("/coach/stage-board"),
        "team": client.get(f"/teams/{caseload['overdue']}"),
    }

    for name, page in pages.items():
        structure = PageStructure(page.text)
        assert structure.unlabelled_controls() == [], name
        assert structure.skipped_heading_levels() == [], name
        assert structure.headings[0] == 1, name
        assert '<a href="/coach/caseload"' in page.text, name
    assert 'href="/coach/caseload" aria-current="page"' in pages["caseload"].text
    assert "<script" not in pages["caseload"].text


def test_every_checkin_mode_has_a_label() -> None:
    assert set(MODE_LABELS) == set(MODES)
    assert set(FLAG_LABELS) == {"stalled", "overdue", "checkin_due"}


def _checkin(**changes: str | dt.timedelta) -> dict[str, str]:
    """The check-in form's fields; a date given as a timedelta is that far from today."""
    fields: dict[str, str | dt.timedelta] = {
        "held_on": dt.timedelta(0),
        "mode": "in_person",
        "notes": "Walked the data wall.",
        "next_steps": "Share the survey results with staff.",
        "attendees": "Principal\n\n  Grade 7 lead  \n",
        **changes,
    }
    today = utcnow().date()
    return {
        name: (today + value).isoformat() if isinstance(value, dt.timedelta) else value
        for name, value in fields.items()
    }


def test_a_coach_logs_a_checkin_and_the_team_sees_it_with_its_next_steps(
    client: TestClient, web_db: Engine, now: dt.datetime
) -> None:
    today = now.date()
    team_id, _ = team_in(web_db)
    coach = coach_of(web_db, team_id)
    member = new_person(web_db, name="Mo Member", member_of=(team_id,))
    signed_in(client, coach)
    page = client.get(f"/teams/{team_id}")
    form = page.context["checkins"].form
    assert form is not None and form.values["held_on"] == today.isoformat()

    posted = client.post(
        f"/teams/{team_id}/checkins",
        data={"csrf_token": page.context["csrf_token"], **_checkin()},
        follow_redirects=False,
    )
    after = client.get(posted.headers["location"])
    row = client.get("/coach/caseload").context["lines"][0]
    signed_in(client, member)
    seen_by_member = client.get(f"/teams/{team_id}")

    assert (posted.status_code, posted.headers["location"]) == (303, f"/teams/{team_id}#checkins")
    assert after.context["flash"].message == f"Logged the check-in of {today:%d %b %Y}."
    [entry] = after.context["checkins"].entries
    assert (entry.held_on, entry.mode, entry.author) == (today, "In person", "Chris Coach")
    assert entry.attendees == ("Principal", "Grade 7 lead")
    assert entry.next_steps == "Share the survey results with staff."
    assert ("checkin_due", "Check-in due") not in row.flags and row.last_checkin == today
    assert seen_by_member.context["checkins"].form is None
    assert seen_by_member.context["checkins"].entries == (entry,)
    assert "Share the survey results with staff." in seen_by_member.text
    assert f'action="/teams/{team_id}/checkins"' not in seen_by_member.text


def test_checkins_are_listed_newest_first(
    client: TestClient, web_db: Engine, now: dt.datetime
) -> None:
    team_id, _ = team_in(web_db)
    checked_in(web_db, team_id, now.date() - dt.timedelta(days=40), next_steps="Older")
    checked_in(web_db, team_id, now.date(), next_steps="Newer")
    signed_in(client, coach_of(web_db, team_id))

    entries = client.get(f"/teams/{team_id}").context["checkins"].entries

    assert [e.next_steps for e in entries] == ["Newer", "Older"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"held_on": dt.timedelta(days=1)}, "held_on", "before it happens"),
        ({"held_on": "next tuesday"}, "held_on", "as a date"),
        ({"held_on": ""}, "held_on", "as a date"),
        ({"mode": "carrier pigeon"}, "mode", "in person or virtual"),
        ({"mode": ""}, "mode", "in person or virtual"),
        ({"notes": "x" * 20_001}, "notes", "under 20,000 characters"),
        ({"attendees": "y" * 201}, "attendees", "under 200 characters"),
    ],
)
def test_a_refused_checkin_comes_back_with_the_message_beside_its_field(
    client: TestClient,
    web_db: Engine,
    changes: dict[str, str | dt.timedelta],
    field: str,
    message: str,
) -> None:
    team_id, _ = team_in(web_db)
    signed_in(client, coach_of(web_db, team_id))
    token = form_token(client, team_id)

    page = client.post(
        f"/teams/{team_id}/checkins", data={"csrf_token": token, **_checkin(**changes)}
    )

    assert (page.status_code, page.template.name) == (422, "team.html")
    form = page.context["checkins"].form
    assert list(form.errors) == [field]
    assert message in form.errors[field]
    assert form.values["next_steps"] == "Share the survey results with staff."
    assert f'id="checkin-{"mode" if field == "mode" else field}-error"' in page.text
    assert page.context["checkins"].entries == ()


def test_a_program_admin_may_log_a_checkin(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, admin_of=(team.program_id,)))
    token = form_token(client, team.team_id)

    posted = client.post(
        f"/teams/{team.team_id}/checkins",
        data={"csrf_token": token, **_checkin()},
        follow_redirects=False,
    )

    assert posted.status_code == 303
    assert len(client.get(f"/teams/{team.team_id}").context["checkins"].entries) == 1


def _checkins_of(db: Engine, team_id: int) -> list[CheckIn]:
    with unit_of_work(db, write=False) as session:
        return list(session.exec(select(CheckIn).where(CheckIn.team_id == team_id)).all())


def test_a_member_sees_no_form_and_is_refused_on_post(client: TestClient, web_db: Engine) -> None:
    team_id, _ = team_in(web_db)
    signed_in(client, new_person(web_db, member_of=(team_id,)))
    page = client.get(f"/teams/{team_id}")

    posted = client.post(
        f"/teams/{team_id}/checkins", data={"csrf_token": page.context["csrf_token"], **_checkin()}
    )

    assert page.context["checkins"].form is None
    assert "No check-ins have been logged yet." in page.text
    assert (posted.status_code, posted.template.name) == (403, "error.html")
    assert _checkins_of(web_db, team_id) == []


def test_a_stranger_is_told_the_team_does_not_exist(client: TestClient, web_db: Engine) -> None:
    team_id, _ = team_in(web_db)
    own, _ = team_in(web_db)
    signed_in(client, coach_of(web_db, own))
    token = form_token(client, own)

    posted = client.post(f"/teams/{team_id}/checkins", data={"csrf_token": token, **_checkin()})

    assert (posted.status_code, posted.template.name) == (404, "error.html")
    assert _checkins_of(web_db, team_id) == []


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_a_checkin_without_the_sessions_token_is_refused(
    client: TestClient, web_db: Engine, token: str | None
) -> None:
    team_id, _ = team_in(web_db)
    signed_in(client, coach_of(web_db, team_id))
    data = _checkin() if token is None else {"csrf_token": token, **_checkin()}

    posted = client.post(f"/teams/{team_id}/checkins", data=data)

    assert (posted.status_code, posted.template.name) == (403, "error.html")
    assert _checkins_of(web_db, team_id) == []
