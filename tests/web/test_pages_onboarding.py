"""A new team's onboarding on its page: overview, self-assessment, then the choice that ends it."""

from __future__ import annotations

import datetime as dt

from factories import fire, save
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import form_token, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.catalog import get_catalog
from service.onboarding import latest_onboarding
from service.queries import active_cycle
from service.store.database import unit_of_work

OVERVIEW = {"reviewed_on": "2026-09-01", "attendees": ["Ana", "Ben"], "takeaways": "Start small."}


def every_condition_rated() -> dict[str, list[dict[str, str]]]:
    slugs = get_catalog().content.condition_slugs
    return {
        "ratings": [
            {"condition": c, "dimension": "Shared goals", "level": "developing", "evidence": "Ok"}
            for c in slugs
        ]
    }


def press(client: TestClient, team_id: int, action: str, **fields: str) -> Response:
    data = {**fields, "csrf_token": form_token(client, team_id)}
    return client.post(action, data=data, follow_redirects=False)


def run_of(db: Engine, team_id: int) -> tuple[int, str, bool]:
    with unit_of_work(db, write=False) as session:
        run = latest_onboarding(session=session, team_id=team_id)
    assert run is not None
    return run.instance_id, run.state, run.finished


def started(client: TestClient, db: Engine, team_id: int) -> int:
    response = press(client, team_id, f"/teams/{team_id}/onboarding")
    assert response.status_code == 303
    run_id, state, _ = run_of(db, team_id)
    assert state == "overview"
    return run_id


def test_a_new_team_is_offered_onboarding_and_may_choose_at_once(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.context["onboarding"].start_action == f"/teams/{team.team_id}/onboarding"
    assert "Start with the playbook overview" in page.text
    assert page.context["choose"] is not None


def test_starting_shows_the_overview_stage_with_its_guide_and_form(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    run_id = started(client, web_db, team.team_id)

    page = client.get(f"/teams/{team.team_id}")

    stage = page.context["onboarding"].stage
    assert (stage.cycle_id, stage.state, stage.title) == (
        run_id,
        "overview",
        "Reading the playbook together",
    )
    assert [panel.kind for panel in stage.artifacts] == ["playbook_overview"]
    assert [(t.name, t.enabled) for t in stage.triggers] == [("finish_overview", False)]
    assert f'action="/cycles/{run_id}/artifacts/playbook_overview"' in page.text
    assert "Start with the playbook overview" not in page.text
    again = press(client, team.team_id, f"/teams/{team.team_id}/onboarding")
    assert again.status_code == 303 and run_of(web_db, team.team_id)[0] == run_id


def test_a_team_walks_onboarding_and_its_choice_ends_the_run_and_starts_the_cycle(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    run_id = started(client, web_db, team.team_id)
    save(web_db, run_id, "playbook_overview", OVERVIEW)
    assert press(client, team.team_id, f"/cycles/{run_id}/triggers/finish_overview").is_redirect

    rating = client.get(f"/teams/{team.team_id}")
    stage = rating.context["onboarding"].stage
    assert stage.state == "self_assessment"
    assert [panel.kind for panel in stage.artifacts] == ["self_assessment"]
    assert rating.context["choose"].assessment is None  # the stage holds the form already
    assert "Stage <strong>Self assessment</strong>" in rating.text

    save(web_db, run_id, "self_assessment", every_condition_rated())
    fire(web_db, run_id, "finish_self_assessment", now=dt.datetime.now(dt.UTC))
    choosing = client.get(f"/teams/{team.team_id}")
    assert choosing.context["onboarding"] is None
    assert choosing.context["choose"].assessed_on is not None

    response = press(
        client,
        team.team_id,
        f"/teams/{team.team_id}/cycles",
        condition="shared-influence",
        basis="greatest_need",
        reason="Every rating of it was beginning.",
    )

    assert response.status_code == 303
    assert run_of(web_db, team.team_id)[1:] == ("ready", True)
    with unit_of_work(web_db, write=False) as session:
        cycle = active_cycle(session=session, team_id=team.team_id)
    assert cycle is not None and cycle.condition == "shared-influence"
    page = client.get(response.headers["location"])
    assert page.context["cycle"].history[0].reason == (
        "Greatest need: Every rating of it was beginning."
    )
    assert page.context["onboarding"] is None


def test_a_team_may_skip_the_rest_of_onboarding_and_choose(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    started(client, web_db, team.team_id)

    press(
        client,
        team.team_id,
        f"/teams/{team.team_id}/cycles",
        condition="vision-and-strategy",
        basis="greatest_strength",
        reason="We did our self-assessment on paper last spring.",
    )

    page = client.get(f"/teams/{team.team_id}")
    assert page.context["cycle"].condition_title == "Vision and strategy"
    assert page.context["onboarding"] is None


def test_a_coach_is_not_offered_onboarding_and_cannot_start_it(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))
    assert client.get(f"/teams/{team.team_id}").context["onboarding"] is None

    refused = press(client, team.team_id, f"/teams/{team.team_id}/onboarding")

    assert refused.status_code == 403
    with unit_of_work(web_db, write=False) as session:
        assert latest_onboarding(session=session, team_id=team.team_id) is None
