"""A choice sent after another member's choice ended the onboarding run is refused as a flash."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import fire, save
from fastapi.testclient import TestClient
from page_factories import new_person, new_team, signed_in
from sqlalchemy import Engine
from test_pages_onboarding import OVERVIEW, every_condition_rated, press, run_of, started

from service.onboarding import OnboardingRun
from service.web.pages import team as team_page

CHOICE = {"condition": "shared-influence", "basis": "greatest_need", "reason": "All beginning."}


def test_a_choice_read_at_the_choice_stage_after_the_run_ended_is_refused_as_a_flash(
    client: TestClient, web_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    run_id = started(client, web_db, team.team_id)
    save(web_db, run_id, "playbook_overview", OVERVIEW)
    fire(web_db, run_id, "finish_overview")
    save(web_db, run_id, "self_assessment", every_condition_rated())
    fire(web_db, run_id, "finish_self_assessment", now=dt.datetime.now(dt.UTC))
    assert press(client, team.team_id, f"/teams/{team.team_id}/cycles", **CHOICE).is_redirect
    assert run_of(web_db, team.team_id)[1:] == ("ready", True)
    # On PostgreSQL a second choice sent at the same moment reads the run before the first
    # commits: still at the choice, then finds it ended once it holds the run's lock.
    stale = OnboardingRun(run_id, "choose", finished=False)
    monkeypatch.setattr(team_page, "latest_onboarding", lambda **_: stale)

    response = press(client, team.team_id, f"/teams/{team.team_id}/cycles", **CHOICE)

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.context["flash"].kind == "refused"
