"""Choosing a team's first or next condition from its page, beside its self-assessment."""

from __future__ import annotations

from factories import save
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.catalog import get_catalog
from service.instances import start_instance
from service.store.database import unit_of_work


def _with_self_assessment(db: Engine, team_id: int) -> None:
    with unit_of_work(db) as session:
        onboarding = start_instance(
            session=session,
            workflow_name="onboarding",
            actor_id=None,
            reason="Team started onboarding",
            team_id=team_id,
        )
        onboarding_id = onboarding.id or 0
    rating = {
        "condition": "shared-influence",
        "dimension": "Voice in decisions",
        "level": "beginning",
        "evidence": "Decisions are announced at staff meetings.",
    }
    save(db, onboarding_id, "self_assessment", {"ratings": [rating]})


def test_a_team_without_a_cycle_sees_every_condition_with_its_ratings_and_a_choice(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    _with_self_assessment(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.template.name == "team.html"
    assert page.context["cycle"] is None
    choose = page.context["choose"]
    content = get_catalog().content
    assert [c.slug for c in choose.conditions] == content.condition_slugs
    rated = {c.slug: c.ratings for c in choose.conditions if c.ratings}
    assert list(rated) == ["shared-influence"]
    [rating] = rated["shared-influence"]
    assert (rating.dimension, rating.level) == ("Voice in decisions", "Beginning")
    assert choose.assessed_on is not None
    assert [(b.value, b.label) for b in choose.bases] == [
        (key, basis.label) for key, basis in content.onboarding.bases.items()
    ]


def test_choosing_starts_a_cycle_whose_reason_names_the_basis(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    token = form_token(client, team.team_id)

    response = client.post(
        f"/teams/{team.team_id}/cycles",
        data={
            "csrf_token": token,
            "condition": "orientation-to-improve",
            "basis": "greatest_strength",
            "reason": "Our data habits are strong.",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    cycle = page.context["cycle"]
    assert (cycle.condition_title, cycle.state) == ("Orientation to improve", "why")
    assert cycle.history[0].reason == "Greatest strength: Our data habits are strong."
    assert page.context["choose"] is None
    assert page.context["flash"].message == "Started a cycle on Orientation to improve."


def test_an_incomplete_choice_comes_back_with_its_errors_and_the_input_kept(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    token = form_token(client, team.team_id)

    response = client.post(
        f"/teams/{team.team_id}/cycles",
        data={"csrf_token": token, "condition": "shared-influence", "basis": "a hunch"},
    )

    assert response.status_code == 422
    draft = response.context["choose"].draft
    assert set(draft.errors) == {"basis", "reason"}
    assert draft.values["condition"] == "shared-influence"
    assert response.context["cycle"] is None


def test_a_second_cycle_cannot_be_started_while_one_is_open(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    token = form_token(client, team.team_id)

    page = client.post(
        f"/teams/{team.team_id}/cycles",
        data={
            "csrf_token": token,
            "condition": "vision-and-strategy",
            "basis": "greatest_need",
            "reason": "Changed our minds.",
        },
    )

    assert page.context["flash"].kind == "refused"
    assert page.context["cycle"].cycle_id == cycle_id
