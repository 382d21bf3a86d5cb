"""The team page's calendar feed: a button that makes a personal link, and the link working."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from factories import action_timeline, save
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine
from sqlmodel import col, select

from service.calendar_feed import CALENDAR_TOKEN
from service.store.database import unit_of_work
from service.store.models import AccessToken, Person
from service.web.pages.calendar_view import CalendarPanel


def calendar_tokens(db: Engine, email: str) -> int:
    """How many calendar tokens the person with `email` holds."""
    with unit_of_work(db, write=False) as session:
        rows = session.exec(
            select(AccessToken.id)
            .join(Person, col(Person.id) == AccessToken.person_id)
            .where(AccessToken.kind == CALENDAR_TOKEN, Person.email == email)
        ).all()
        return len(rows)


def test_the_team_page_offers_a_calendar_link_without_making_one(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    member = new_person(web_db, member_of=(team.team_id,))
    signed_in(client, member)

    page = client.get(f"/teams/{team.team_id}")

    assert page.context["calendar"] == CalendarPanel(
        f"/teams/{team.team_id}/calendar-link", f"/teams/{team.team_id}/calendar-link/revoke", 0
    )
    assert ">Make my calendar link</button>" in page.text
    assert "Turn off my calendar links" not in page.text  # nothing to turn off yet
    assert calendar_tokens(web_db, member) == 0


def test_a_member_makes_a_calendar_link_and_the_feed_it_names_answers(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    save(web_db, cycle_id, "action_timeline", action_timeline())
    member = new_person(web_db, member_of=(team.team_id,))
    signed_in(client, member)

    page = client.post(
        f"/teams/{team.team_id}/calendar-link",
        data={"csrf_token": form_token(client, team.team_id)},
    )

    assert (page.status_code, page.template.name) == (200, "team.html")
    assert page.context["flash"].message == "Made a calendar link: copy it below."
    url = page.context["calendar"].url
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "testserver",
        f"/api/teams/{team.team_id}/calendar.ics",
    )
    assert len(parse_qs(parts.query)["token"][0]) >= 40
    assert calendar_tokens(web_db, member) == 1
    assert f'value="{url}" readonly' in page.text.replace("&amp;", "&")
    assert page.headers["cache-control"] == "no-store"
    client.cookies.clear()  # a calendar app has no session: the token alone opens the feed
    feed = client.get(url)
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.text.startswith("BEGIN:VCALENDAR")


def test_a_coach_may_make_a_link_to_a_team_they_coach(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.post(
        f"/teams/{team.team_id}/calendar-link",
        data={"csrf_token": form_token(client, team.team_id)},
    )

    assert page.status_code == 200
    assert page.context["can_work"] is False
    assert client.get(page.context["calendar"].url).status_code == 200


def test_a_stranger_cannot_make_a_link_to_another_teams_calendar(
    client: TestClient, web_db: Engine
) -> None:
    team, own = new_team(web_db), new_team(web_db)
    stranger = new_person(web_db, member_of=(own.team_id,))
    signed_in(client, stranger)

    response = client.post(
        f"/teams/{team.team_id}/calendar-link",
        data={"csrf_token": form_token(client, own.team_id)},
    )

    assert (response.status_code, response.template.name) == (404, "error.html")
    assert calendar_tokens(web_db, stranger) == 0


def test_a_calendar_link_without_the_sessions_token_is_refused_and_none_is_made(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    member = new_person(web_db, member_of=(team.team_id,))
    signed_in(client, member)

    response = client.post(f"/teams/{team.team_id}/calendar-link", data={"csrf_token": "0" * 64})

    assert (response.status_code, response.template.name) == (403, "error.html")
    assert calendar_tokens(web_db, member) == 0


def test_a_member_turns_off_their_calendar_links_and_the_feeds_stop_answering(
    client: TestClient, web_db: Engine
) -> None:
    team, other = new_team(web_db), new_team(web_db)
    member = new_person(web_db, member_of=(team.team_id, other.team_id))
    signed_in(client, member)
    links = [
        client.post(
            f"/teams/{team_id}/calendar-link",
            data={"csrf_token": form_token(client, team.team_id)},
        )
        .context["calendar"]
        .url
        for team_id in (team.team_id, other.team_id)
    ]
    before = client.get(f"/teams/{team.team_id}")
    assert before.context["calendar"].live_links == 2
    assert "You have 2 working calendar links." in before.text

    page = client.post(
        f"/teams/{team.team_id}/calendar-link/revoke",
        data={"csrf_token": form_token(client, team.team_id)},
    )

    assert (page.status_code, page.template.name) == (200, "team.html")
    assert page.context["flash"].message == (
        "Turned off 2 calendar links: calendars subscribed to them stop updating."
    )
    assert page.context["calendar"].live_links == 0
    assert "Turn off my calendar links" not in page.text
    client.cookies.clear()
    assert [client.get(link).status_code for link in links] == [401, 401]


def test_turning_off_links_leaves_other_peoples_links_working(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    colleague = new_person(web_db, member_of=(team.team_id,))
    signed_in(client, colleague)
    kept = (
        client.post(
            f"/teams/{team.team_id}/calendar-link",
            data={"csrf_token": form_token(client, team.team_id)},
        )
        .context["calendar"]
        .url
    )
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.post(
        f"/teams/{team.team_id}/calendar-link/revoke",
        data={"csrf_token": form_token(client, team.team_id)},
    )

    assert page.context["flash"].message.startswith("Turned off 0 calendar links")
    client.cookies.clear()
    assert client.get(kept).status_code == 200
