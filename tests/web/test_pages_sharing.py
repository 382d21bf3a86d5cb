"""Shared learning on the pages: a team shares a finished cycle; its program's teams read it."""

from __future__ import annotations

import uuid

import pytest
from factories import save, walk_to_decide
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import TeamIds, form_token, new_cycle, new_person, new_team, signed_in
from page_html import PageStructure
from sqlalchemy import Engine
from sqlmodel import select

from service.organisation import add_school, add_team
from service.store.database import unit_of_work
from service.store.models import SharedCycle, Team
from service.web.pages.sharing_view import PAGE_SIZE, SharingPanel

REVISIT = {"choice": "revisit", "rationale": "Half the staff joined in; try a second period."}


def team_beside(db: Engine, team: TeamIds, name: str = "Oak team") -> int:
    """Another team, in another school of the same program."""
    with unit_of_work(db) as session:
        school = add_school(
            session=session,
            program_id=team.program_id,
            name="Oak School",
            code=uuid.uuid4().hex[:8],
        )
        return add_team(session=session, school_id=school.id or 0, name=name).id or 0


def decided(db: Engine, team_id: int, condition: str = "vision-and-strategy") -> int:
    """The team's cycle standing in `decide` with a complete decision: its pass is finished."""
    cycle_id = new_cycle(db, team_id, condition)
    walk_to_decide(db, cycle_id)
    save(db, cycle_id, "decision", REVISIT)
    return cycle_id


def sharing(page: Response) -> SharingPanel:
    assert page.status_code == 200, page.text
    assert page.template.name == "team.html"
    panel: SharingPanel = page.context["sharing"]
    return panel


def press(client: TestClient, team_id: int, action: str) -> Response:
    return client.post(
        action, data={"csrf_token": form_token(client, team_id)}, follow_redirects=False
    )


def is_shared(db: Engine, cycle_id: int) -> bool:
    with unit_of_work(db, write=False) as session:
        query = select(SharedCycle.id).where(SharedCycle.instance_id == cycle_id)
        return session.exec(query).first() is not None


def test_sharing_is_refused_with_its_reason_until_a_pass_is_finished(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    before = sharing(client.get(f"/teams/{team.team_id}"))

    response = press(client, team.team_id, f"/cycles/{cycle_id}/share")

    assert (before.finished, before.share_action, before.shared_at) == (False, None, None)
    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{team.team_id}#sharing"
    page = client.get(response.headers["location"])
    assert page.context["flash"].message == "The cycle was not shared."
    [reason] = sharing(page).refused
    assert reason.startswith(
        f"Cycle {cycle_id} cannot be shared yet: its review has not been concluded yet"
    )
    assert 'id="refused-sharing"' in page.text
    assert not is_shared(web_db, cycle_id)


def test_a_team_shares_a_finished_cycle_and_can_stop_sharing_it(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = decided(web_db, team.team_id)
    signed_in(client, new_person(web_db, name="Ana Reyes", member_of=(team.team_id,)))
    page = client.get(f"/teams/{team.team_id}")
    before = sharing(page)

    share = press(client, team.team_id, f"/cycles/{cycle_id}/share")
    shared = client.get(share.headers["location"])
    after = sharing(shared)
    unshare = press(client, team.team_id, f"/cycles/{cycle_id}/unshare")
    stopped = sharing(client.get(unshare.headers["location"]))

    assert (before.finished, before.share_action) == (True, f"/cycles/{cycle_id}/share")
    assert ">Share this cycle with the program</button>" in page.text
    assert share.status_code == unshare.status_code == 303
    assert shared.context["flash"].kind == "done"
    assert (after.shared_by, after.share_action) == ("Ana Reyes", None)
    assert after.unshare_action == f"/cycles/{cycle_id}/unshare"
    assert "Shared with the program by Ana Reyes" in shared.text
    assert (stopped.shared_at, stopped.share_action) == (None, f"/cycles/{cycle_id}/share")
    assert not is_shared(web_db, cycle_id)


def test_another_team_of_the_program_reads_the_shared_cycle_and_filters_by_condition(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db, "Maple team")
    cycle_id = decided(web_db, team.team_id, "vision-and-strategy")
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    press(client, team.team_id, f"/cycles/{cycle_id}/share")
    other = team_beside(web_db, team)
    signed_in(client, new_person(web_db, member_of=(other,)))
    listing = f"/programs/{team.program_id}/shared"

    page = client.get(listing)
    same = client.get(listing, params={"condition": "vision-and-strategy"})
    different = client.get(listing, params={"condition": "shared-influence"})

    assert (page.status_code, page.template.name) == (200, "shared.html")
    assert page.context["program"].id == team.program_id
    structure = PageStructure(page.text)
    assert (structure.unlabelled_controls(), structure.skipped_heading_levels()) == ([], [])
    [entry] = page.context["entries"]
    assert (entry.cycle_id, entry.team, entry.condition, entry.iteration) == (
        cycle_id,
        "Maple team",
        "Vision and strategy",
        1,
    )
    assert [d.kind for d in entry.documents] == [
        "theory_of_action",
        "impact_assessment",
        "decision",
    ]
    assert all(d.shown for d in entry.documents)
    assert "If we protect a weekly period" in page.text
    assert page.context["paging"].total == 1
    assert same.context["condition"] == "vision-and-strategy"
    assert [e.cycle_id for e in same.context["entries"]] == [cycle_id]
    assert different.context["entries"] == ()
    assert "No team has shared a cycle on Shared influence yet." in different.text


def test_a_person_of_another_program_is_told_there_is_no_such_page(
    client: TestClient, web_db: Engine
) -> None:
    team, elsewhere = new_team(web_db), new_team(web_db)
    decided(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(elsewhere.team_id,)))

    page = client.get(f"/programs/{team.program_id}/shared")
    own = client.get(f"/programs/{elsewhere.program_id}/shared")

    assert (page.status_code, page.template.name) == (404, "error.html")
    assert (own.status_code, own.template.name) == (200, "shared.html")


def test_the_listing_comes_a_page_at_a_time_and_ignores_values_it_does_not_know(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    with unit_of_work(web_db) as session:
        school_id = session.get_one(Team, team.team_id).school_id
        teams = [
            add_team(session=session, school_id=school_id, name=f"Team {n}").id or 0
            for n in range(PAGE_SIZE + 1)
        ]
    person = new_person(web_db, member_of=tuple(teams))
    signed_in(client, person)
    for team_id in teams:
        press(client, team_id, f"/cycles/{decided(web_db, team_id)}/share")
    listing = f"/programs/{team.program_id}/shared"

    first = client.get(listing, params={"condition": "no-such-condition"})
    second = client.get(first.context["paging"].next_href)

    assert first.context["condition"] is None
    assert len(first.context["entries"]) == PAGE_SIZE
    assert first.context["entries"][0].team == f"Team {PAGE_SIZE}"  # newest share first
    assert first.context["paging"].previous_href is None
    assert second.context["paging"].next_href is None
    assert second.context["paging"].previous_href == listing
    assert [(e.team, second.context["paging"].first) for e in second.context["entries"]] == [
        ("Team 0", PAGE_SIZE + 1)
    ]


def test_a_coach_sees_whether_the_cycle_is_shared_but_not_the_buttons(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = decided(web_db, team.team_id)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")
    response = press(client, team.team_id, f"/cycles/{cycle_id}/share")

    panel = sharing(page)
    assert (panel.finished, panel.share_action, panel.unshare_action) == (True, None, None)
    # What other teams learned on the same condition, as the team plans its next pass.
    assert panel.browse_href == f"/programs/{team.program_id}/shared?condition=vision-and-strategy"
    assert "/share" not in page.text.replace(panel.browse_href, "")
    assert (response.status_code, response.template.name) == (403, "error.html")


def test_choosing_a_condition_links_to_what_other_teams_learned(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.context["choose"] is not None
    assert page.context["sharing"] is None
    assert page.context["shared_href"] == f"/programs/{team.program_id}/shared"
    assert f'<a href="/programs/{team.program_id}/shared">See what other teams learned</a>' in (
        page.text
    )


@pytest.mark.parametrize("path", ["share", "unshare"])
def test_sharing_without_the_sessions_token_is_refused_and_changes_nothing(
    client: TestClient, web_db: Engine, path: str
) -> None:
    team = new_team(web_db)
    cycle_id = decided(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    if path == "unshare":
        press(client, team.team_id, f"/cycles/{cycle_id}/share")

    response = client.post(f"/cycles/{cycle_id}/{path}", data={"csrf_token": "0" * 64})

    assert (response.status_code, response.template.name) == (403, "error.html")
    assert is_shared(web_db, cycle_id) is (path == "unshare")
