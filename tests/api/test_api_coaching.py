"""The coach's caseload, stage board and check-ins over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import (
    Api,
    coach_of,
    join_team,
    member_of,
    new_org,
    new_team_in,
    new_user,
    start_cycle,
)

from service.store.models import utcnow

# Check-ins are judged by today's date: the service's clock stands still in each test.
pytestmark = pytest.mark.usefixtures("now")


def _checkin(**changes: object) -> dict[str, object]:
    return {
        "date": utcnow().date().isoformat(),
        "mode": "virtual",
        "notes": "Walked through the purpose map.",
        "next_steps": "Send the exit ticket draft by Friday.",
        "attendees": ["Principal", "Grade 6 lead"],
        **changes,
    }


def test_a_coach_sees_one_row_per_team_on_their_caseload_and_nothing_else(api: Api) -> None:
    org = new_org(api.db)
    other_team, _ = new_team_in(api.db, org.school_id)
    coach = coach_of(api, org.team_id)
    member = member_of(api, org.team_id)
    start_cycle(member, org.team_id)
    start_cycle(member_of(api, other_team), other_team)

    response = coach.get("/api/coach/caseload")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    (row,) = body["rows"]
    assert row["team_id"] == org.team_id
    assert (row["condition"], row["state"], row["days_in_state"]) == (
        "vision-and-strategy",
        "why",
        0,
    )
    assert row["owed"] == ["theory_of_action"]
    assert row["flags"] == ["checkin_due"]


def test_the_caseload_filters_by_flag_condition_state_and_phase(api: Api) -> None:
    org = new_org(api.db)
    coach = coach_of(api, org.team_id)
    start_cycle(member_of(api, org.team_id), org.team_id)
    assert coach.get("/api/coach/caseload", params={"flag": "checkin_due"}).json()["total"] == 1
    assert coach.get("/api/coach/caseload", params={"flag": "stalled"}).json()["total"] == 0
    assert coach.get("/api/coach/caseload", params={"state": "how"}).json()["total"] == 0
    assert (
        coach.get("/api/coach/caseload", params={"condition": "vision-and-strategy"}).json()[
            "total"
        ]
        == 1
    )
    assert coach.get("/api/coach/caseload", params={"phase": "cultivating"}).json()["total"] == 0
    assert coach.get("/api/coach/caseload", params={"flag": "nonsense"}).status_code == 422


def test_the_caseload_sorts_by_any_column_either_way_and_names_a_bad_one(api: Api) -> None:
    org = new_org(api.db)
    coach = coach_of(api, org.team_id)
    others = [new_team_in(api.db, org.school_id) for _ in range(2)]
    for team_id, _ in others:
        join_team(api.db, team_id, coach.id, "coach")
    names = sorted([org.team_name, *(name for _, name in others)], key=str.lower)

    def teams(**params: str) -> list[str]:
        response = coach.get("/api/coach/caseload", params=params)
        assert response.status_code == 200, response.text
        return [row["team"] for row in response.json()["rows"]]

    assert teams(sort="team") == names
    assert teams(sort="team", dir="asc") == names
    assert teams(sort="team", dir="desc") == names[::-1]
    assert teams(sort="team", limit="2", offset="1") == names[1:]
    refused = coach.get("/api/coach/caseload", params={"sort": "shoe_size"})
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["query", "sort"]]
    refused = coach.get("/api/coach/caseload", params={"sort": "team", "dir": "sideways"})
    assert [e["loc"] for e in refused.json()["detail"]] == [["query", "dir"]]


def test_a_logged_checkin_clears_the_flag_and_the_team_sees_its_next_steps(
    api: Api, now: dt.datetime
) -> None:
    org = new_org(api.db)
    coach = coach_of(api, org.team_id)
    member = member_of(api, org.team_id)
    start_cycle(member, org.team_id)

    logged = coach.post(f"/api/teams/{org.team_id}/checkins", json=_checkin())

    assert logged.status_code == 201, logged.text
    assert logged.json()["attendees"] == ["Principal", "Grade 6 lead"]
    (row,) = coach.get("/api/coach/caseload").json()["rows"]
    assert row["flags"] == [] and row["last_checkin"] == now.date().isoformat()
    (seen,) = member.get(f"/api/teams/{org.team_id}/checkins").json()
    assert seen["next_steps"] == "Send the exit ticket draft by Friday."


def test_checkins_are_refused_with_a_reason_for_bad_input(api: Api, now: dt.datetime) -> None:
    org = new_org(api.db)
    coach = coach_of(api, org.team_id)
    url = f"/api/teams/{org.team_id}/checkins"
    assert coach.post(url, json=_checkin(mode="carrier pigeon")).status_code == 422
    assert coach.post(url, json=_checkin(date="24/11/2026")).status_code == 422
    future = (now.date() + dt.timedelta(days=3)).isoformat()
    refused = coach.post(url, json=_checkin(date=future))
    assert refused.status_code == 422 and "future" in refused.json()["detail"]


def test_only_the_teams_coaches_and_admins_log_checkins(api: Api) -> None:
    org = new_org(api.db)
    url = f"/api/teams/{org.team_id}/checkins"
    assert member_of(api, org.team_id).post(url, json=_checkin()).status_code == 403
    stranger = new_user(api)
    assert stranger.post(url, json=_checkin()).status_code == 404
    assert stranger.get(url).status_code == 404
    other_org = new_org(api.db)
    assert coach_of(api, other_org.team_id).post(url, json=_checkin()).status_code == 404


def test_the_stage_board_counts_caseload_teams_per_condition_and_state(api: Api) -> None:
    org = new_org(api.db)
    second, _ = new_team_in(api.db, org.school_id)
    coach = coach_of(api, org.team_id)
    join_team(api.db, second, coach.id, "coach")
    start_cycle(member_of(api, org.team_id), org.team_id)
    start_cycle(member_of(api, second), second)

    board = coach.get("/api/coach/stage-board").json()

    assert board["states"] == ["why", "how", "implement", "review", "decide", "closed"]
    assert len(board["conditions"]) == 7
    assert board["cells"] == [
        {
            "condition": "vision-and-strategy",
            "state": "why",
            "count": 2,
            "team_ids": sorted([org.team_id, second]),
        }
    ]
