"""The team calendar over HTTP: a subscription link, then a feed read with the token in it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from api_helpers import (
    Api,
    User,
    coach_of,
    fired,
    member_of,
    new_org,
    put_artifact,
    start_cycle,
)
from factories import theory_of_action
from httpx2 import Response
from icalendar import Calendar
from sqlalchemy import delete

from service.security import issue_token, revoke_token
from service.store.database import unit_of_work
from service.store.models import TeamMembership

TRICKY = 'Plan, review; repeat\nthen <script>alert("x")</script> \\ done'


def _item(action: str, due: dt.date, status: str = "planned") -> dict[str, Any]:
    return {
        "action": action,
        "owner": "Principal",
        "due": due.isoformat(),
        "success_evidence": "On the timetable.",
        "status": status,
    }


def _planning(member: User, team_id: int, *items: dict[str, Any]) -> int:
    """A cycle in `how` whose action timeline holds `items`."""
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    fired(member, cycle_id, "start_planning")
    put_artifact(member, cycle_id, "action_timeline", {"items": list(items)})
    return cycle_id


def _link(user: User, team_id: int) -> str:
    response = user.post(f"/api/teams/{team_id}/calendar-token")
    assert response.status_code == 201, response.text
    return response.json()["url"]


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _feed(api: Api, url: str) -> Response:
    """What a calendar app does: a plain GET, with no Authorization header."""
    return api.client.get(url)


def _events(response: Response) -> list[tuple[str, dt.date, str, str]]:
    """(summary, day, description, uid) of each VEVENT, as a calendar parser reads them."""
    assert response.status_code == 200, response.text
    return sorted(
        (str(e["summary"]), e.decoded("dtstart"), str(e["description"]), str(e["uid"]))
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    )


def test_the_feed_holds_exactly_the_due_dates_and_the_check_ins(api: Api, now: dt.datetime) -> None:
    today = now.date()
    org = new_org(api.db)
    member, coach = member_of(api, org.team_id), coach_of(api, org.team_id)
    first, second = today + dt.timedelta(days=7), today + dt.timedelta(days=21)
    cycle_id = _planning(
        member, org.team_id, _item("Schedule it", first), _item("Review it", second, "doing")
    )
    checkin = {"date": today.isoformat(), "mode": "in_person", "next_steps": "Send the draft."}
    assert coach.post(f"/api/teams/{org.team_id}/checkins", json=checkin).status_code == 201

    response = _feed(api, _link(member, org.team_id))

    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    evidence = "How we will know it worked: On the timetable."
    assert [event[:3] for event in _events(response)] == sorted(
        [
            ("Check-in (in person)", today, "Next steps: Send the draft."),
            ("Due: Review it (Principal)", second, f"{evidence}\nStatus: doing"),
            ("Due: Schedule it (Principal)", first, f"{evidence}\nStatus: planned"),
        ]
    )
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == f"{org.team_name}: improvement cycle"
    assert {str(e["uid"]) for e in calendar.walk("VEVENT")} >= {
        f"cycle-{cycle_id}-pass-1-action-1@improvement-engine",
        f"cycle-{cycle_id}-pass-1-action-2@improvement-engine",
    }


def test_a_coach_subscribes_too(api: Api, now: dt.datetime) -> None:
    today = now.date()
    org = new_org(api.db)
    _planning(member_of(api, org.team_id), org.team_id, _item("Schedule it", today))
    coach = coach_of(api, org.team_id)

    (event,) = _events(_feed(api, _link(coach, org.team_id)))

    assert event[:2] == ("Due: Schedule it (Principal)", today)


def test_uids_stay_the_same_across_fetches_and_edits(api: Api, now: dt.datetime) -> None:
    today = now.date()
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = _planning(member, org.team_id, _item("Schedule it", today))
    url = _link(member, org.team_id)
    before = _feed(api, url)
    again = _feed(api, url)
    put_artifact(
        member, cycle_id, "action_timeline", {"items": [_item("Schedule it twice", today)]}
    )
    after = _feed(api, url)

    assert again.content == before.content
    uid = f"cycle-{cycle_id}-pass-1-action-1@improvement-engine"
    assert [(e[0], e[3]) for e in _events(before)] == [("Due: Schedule it (Principal)", uid)]
    assert [(e[0], e[3]) for e in _events(after)] == [("Due: Schedule it twice (Principal)", uid)]


def test_special_characters_in_an_action_are_escaped(api: Api, now: dt.datetime) -> None:
    today = now.date()
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    _planning(member, org.team_id, _item(TRICKY, today))

    response = _feed(api, _link(member, org.team_id))

    unfolded = response.text.replace("\r\n ", "")
    assert 'SUMMARY:Due: Plan\\, review\\; repeat\\nthen <script>alert("x")</script> \\\\ done' in (
        unfolded
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    ((summary, *_),) = _events(response)
    assert summary == f"Due: {TRICKY} (Principal)"


def test_a_missing_or_unknown_token_is_refused(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    feed = f"/api/teams/{org.team_id}/calendar.ics"

    for url in (feed, f"{feed}?token=", f"{feed}?token=not-a-token"):
        response = _feed(api, url)
        assert response.status_code == 401, url
        assert set(response.json()) == {"detail"}
    # A bearer token of the API is no calendar token, and a calendar token opens no API.
    assert _feed(api, f"{feed}?token={member.token}").status_code == 401
    calendar_token = _token(_link(member, org.team_id))
    headers = {"Authorization": f"Bearer {calendar_token}"}
    assert api.client.get(f"/api/teams/{org.team_id}/status", headers=headers).status_code == 401
    assert api.client.get(feed, headers=headers).status_code == 401


def test_an_api_client_reads_the_feed_with_its_bearer_token_like_any_other_call(
    api: Api, now: dt.datetime
) -> None:
    org, elsewhere = new_org(api.db), new_org(api.db)
    member = member_of(api, org.team_id)
    due = now.date() + dt.timedelta(days=3)
    _planning(member, org.team_id, _item("Share the plan", due))
    feed = f"/api/teams/{org.team_id}/calendar.ics"

    [(summary, day, _, _)] = _events(member.get(feed))

    assert (summary, day) == ("Due: Share the plan (Principal)", due)
    assert member_of(api, elsewhere.team_id).get(feed).status_code == 404


def test_a_token_of_someone_who_cannot_read_the_team_gets_404(api: Api) -> None:
    org, elsewhere = new_org(api.db), new_org(api.db)
    stranger = member_of(api, elsewhere.team_id)
    token = _token(_link(stranger, elsewhere.team_id))

    response = _feed(api, f"/api/teams/{org.team_id}/calendar.ics?token={token}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"team {org.team_id} not found"}
    assert stranger.post(f"/api/teams/{org.team_id}/calendar-token").status_code == 404


def test_a_revoked_or_expired_token_is_refused(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    url = _link(member, org.team_id)
    assert _feed(api, url).status_code == 200
    with unit_of_work(api.db) as session:
        revoke_token(session=session, token=_token(url))
        expired = issue_token(
            session=session,
            person_id=member.id,
            kind="calendar",
            ttl=dt.timedelta(seconds=-1),
        )

    assert _feed(api, url).status_code == 401
    assert _feed(api, f"/api/teams/{org.team_id}/calendar.ics?token={expired}").status_code == 401


def test_a_link_stops_working_when_its_owner_leaves_the_team(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    url = _link(member, org.team_id)
    with unit_of_work(api.db) as session:
        session.execute(delete(TeamMembership).where(TeamMembership.person_id == member.id))

    assert _feed(api, url).status_code == 404


def test_a_person_turns_off_all_their_calendar_links_at_once(api: Api) -> None:
    org = new_org(api.db)
    member, colleague = member_of(api, org.team_id), member_of(api, org.team_id)
    mine = [_link(member, org.team_id), _link(member, org.team_id)]
    theirs = _link(colleague, org.team_id)

    response = member.delete("/api/users/me/calendar-tokens")

    assert (response.status_code, response.json()) == (200, {"revoked": 2})
    assert [_feed(api, url).status_code for url in (*mine, theirs)] == [401, 401, 200]
    again = member.delete("/api/users/me/calendar-tokens")
    assert again.json() == {"revoked": 0}
    assert api.client.delete("/api/users/me/calendar-tokens").status_code == 401
