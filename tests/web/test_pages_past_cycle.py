"""A team's earlier cycles stay within reach: listed on its page, each readable and shareable."""

from __future__ import annotations

from factories import fire, save, walk_to_decide
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.onboarding import latest_onboarding
from service.queries import active_cycle
from service.store.database import unit_of_work

MOVE_ON = {
    "choice": "move_on",
    "rationale": "Planning time is protected now; the next need is shared influence.",
    "next_condition": "shared-influence",
}


def moved_on(db: Engine, team_id: int) -> tuple[int, int]:
    """A team that finished a vision cycle and moved on: (the closed cycle, the new one)."""
    closed = new_cycle(db, team_id, "vision-and-strategy")
    walk_to_decide(db, closed)
    save(db, closed, "decision", MOVE_ON)
    fire(db, closed, "move_on")
    with unit_of_work(db, write=False) as session:
        current = active_cycle(session=session, team_id=team_id)
    assert current is not None and current.id is not None and current.id != closed
    return closed, current.id


def test_the_team_page_lists_the_cycle_it_moved_on_from(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    closed, current = moved_on(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    [earlier] = page.context["earlier"]
    assert (earlier.cycle_id, earlier.condition, earlier.href) == (
        closed,
        "Vision and strategy",
        f"/cycles/{closed}",
    )
    assert earlier.closed_on is not None and earlier.iterations == 1 and not earlier.shared
    assert page.context["cycle"].cycle_id == current
    assert f'<a href="/cycles/{closed}">Vision and strategy</a>' in page.text


def test_a_closed_cycle_shows_what_the_team_wrote_and_its_history_read_only(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    closed, _ = moved_on(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/cycles/{closed}")

    assert (page.status_code, page.template.name) == (200, "past_cycle.html")
    titles = [document.title for document in page.context["documents"]]
    assert titles == [
        "Theory of action",
        "Purpose map",
        "Action timeline",
        "Data collection 1",
        "Data collection 2",
        "Impact assessment",
        "Decision",
    ]
    assert MOVE_ON["rationale"] in page.text
    assert [event.to_state for event in page.context["cycle"].history][-1] == "closed"
    assert "/triggers/" not in page.text and "/artifacts/" not in page.text


def test_a_team_shares_a_cycle_after_moving_on_and_comes_back_to_it(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    closed, _ = moved_on(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    offered = client.get(f"/cycles/{closed}").context["sharing"]
    assert offered.share_action == f"/cycles/{closed}/share"

    response = client.post(
        offered.share_action,
        data={"csrf_token": form_token(client, team.team_id)},
        follow_redirects=False,
    )

    assert response.headers["location"] == f"/cycles/{closed}#sharing"
    page = client.get(response.headers["location"])
    assert page.context["flash"].message.startswith("Shared:")
    assert page.context["sharing"].shared_at is not None
    [earlier] = client.get(f"/teams/{team.team_id}").context["earlier"]
    assert earlier.shared


def test_a_coach_reads_an_earlier_cycle_but_is_not_offered_to_share_it(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    closed, _ = moved_on(web_db, team.team_id)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/cycles/{closed}")

    assert page.status_code == 200
    assert page.context["sharing"].share_action is None
    assert "Share this cycle" not in page.text


def test_the_cycle_under_way_leads_to_the_team_page(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    response = client.get(f"/cycles/{cycle_id}", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, f"/teams/{team.team_id}")


def test_a_stranger_cannot_read_another_teams_earlier_cycle(
    client: TestClient, web_db: Engine
) -> None:
    team, own = new_team(web_db), new_team(web_db)
    closed, _ = moved_on(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(own.team_id,)))

    response = client.get(f"/cycles/{closed}")

    assert (response.status_code, response.template.name) == (404, "error.html")
    assert MOVE_ON["rationale"] not in response.text


def test_an_onboarding_run_is_no_cycle_to_show(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    client.post(
        f"/teams/{team.team_id}/onboarding",
        data={"csrf_token": form_token(client, team.team_id)},
    )
    assert client.get(f"/teams/{team.team_id}").context["earlier"] == ()  # runs are not cycles
    with unit_of_work(web_db, write=False) as session:
        run = latest_onboarding(session=session, team_id=team.team_id)
    assert run is not None

    response = client.get(f"/cycles/{run.instance_id}")

    assert (response.status_code, response.template.name) == (404, "error.html")
