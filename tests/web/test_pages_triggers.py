"""The buttons that move a cycle: refused with reasons beside them, or done and recorded."""

from __future__ import annotations

from factories import fire, save, theory_of_action, walk_to_decide
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine

from service.catalog import get_catalog
from service.instances import start_instance
from service.queries import get_instance, history
from service.store.database import unit_of_work
from service.web.pages.cycle_view import TriggerButton


def _member_with_cycle(client: TestClient, db: Engine) -> tuple[int, int, str]:
    team = new_team(db)
    cycle_id = new_cycle(db, team.team_id, "shared-influence")
    signed_in(client, new_person(db, name="Ana Reyes", member_of=(team.team_id,)))
    return team.team_id, cycle_id, form_token(client, team.team_id)


def _walk_onboarding_to_choose(db: Engine, onboarding_id: int) -> None:
    overview = {"reviewed_on": "2026-03-02", "attendees": ["Ana"], "takeaways": "Start small."}
    save(db, onboarding_id, "playbook_overview", overview)
    fire(db, onboarding_id, "finish_overview")
    ratings = [
        {"condition": slug, "dimension": "Overall", "level": "developing", "evidence": "Notes."}
        for slug in get_catalog().content.condition_slugs
    ]
    save(db, onboarding_id, "self_assessment", {"ratings": ratings})
    fire(db, onboarding_id, "finish_self_assessment")


def _button(page: Response, name: str) -> TriggerButton:
    return next(t for t in page.context["cycle"].triggers if t.name == name)


def test_a_blocked_trigger_fired_anyway_comes_back_with_its_reason_beside_the_button(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)

    response = client.post(
        f"/cycles/{cycle_id}/triggers/start_planning",
        data={"csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{team_id}#actions"
    page = client.get(response.headers["location"])
    assert page.context["flash"].kind == "refused"
    button = _button(page, "start_planning")
    assert button.refused == ("Write the theory of action: it has not been started.",)
    assert 'id="refused-start_planning"' in page.text
    assert page.context["cycle"].state == "why"


def test_firing_an_open_trigger_moves_the_cycle_and_adds_to_its_history(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    save(web_db, cycle_id, "theory_of_action", theory_of_action())
    version = client.get(f"/teams/{team_id}").context["cycle"].version

    response = client.post(
        f"/cycles/{cycle_id}/triggers/start_planning",
        data={"csrf_token": token, "expected_version": str(version)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    cycle = page.context["cycle"]
    assert cycle.state == "how"
    assert [a.kind for a in cycle.artifacts] == ["purpose_map", "action_timeline"]
    last = cycle.history[-1]
    assert (last.what, last.from_state, last.to_state, last.actor) == (
        "Start planning",
        "why",
        "how",
        "Ana Reyes",
    )
    assert page.context["flash"].message == "Done: the cycle is now in how."


def test_stepping_back_is_offered_with_a_reason_field_and_refused_without_a_reason(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    save(web_db, cycle_id, "theory_of_action", theory_of_action())
    fire(web_db, cycle_id, "start_planning")
    button = _button(client.get(f"/teams/{team_id}"), "step_back")
    assert (button.enabled, button.needs_reason, button.label) == (True, True, "Step back to why")

    refused = client.post(
        f"/cycles/{cycle_id}/triggers/step_back", data={"csrf_token": token, "reason": "  "}
    )
    assert refused.context["cycle"].state == "how"
    assert _button(refused, "step_back").refused == ("Write the reason for this step.",)

    done = client.post(
        f"/cycles/{cycle_id}/triggers/step_back",
        data={"csrf_token": token, "reason": "The barrier we chose is not ours to move."},
    )
    cycle = done.context["cycle"]
    assert cycle.state == "why"
    assert cycle.history[-1].reason == "The barrier we chose is not ours to move."


def test_a_button_pressed_on_a_stale_page_is_refused_and_explained(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    save(web_db, cycle_id, "theory_of_action", theory_of_action())
    stale = client.get(f"/teams/{team_id}").context["cycle"].version
    fire(web_db, cycle_id, "start_planning")  # a teammate moved on meanwhile

    page = client.post(
        f"/cycles/{cycle_id}/triggers/start_planning",
        data={"csrf_token": token, "expected_version": str(stale)},
    )

    assert page.context["flash"].kind == "refused"
    assert page.context["flash"].reasons == (
        "Someone moved this cycle meanwhile; check where it stands now.",
    )
    assert page.context["cycle"].state == "how"


def test_moving_on_closes_the_cycle_and_the_page_shows_the_next_one(
    client: TestClient, web_db: Engine
) -> None:
    _, cycle_id, token = _member_with_cycle(client, web_db)
    walk_to_decide(web_db, cycle_id)
    decision = {"choice": "move_on", "rationale": "Influence is shared now."}
    client.post(
        f"/cycles/{cycle_id}/artifacts/decision",
        data={**decision, "next_condition": "vision-and-strategy", "csrf_token": token},
    )

    page = client.post(f"/cycles/{cycle_id}/triggers/move_on", data={"csrf_token": token})

    cycle = page.context["cycle"]
    assert cycle.cycle_id != cycle_id
    assert (cycle.condition_title, cycle.state) == ("Vision and strategy", "why")
    assert "next cycle has started" in page.context["flash"].message


def test_an_unknown_trigger_is_not_found(client: TestClient, web_db: Engine) -> None:
    _, cycle_id, token = _member_with_cycle(client, web_db)

    response = client.post(f"/cycles/{cycle_id}/triggers/fly_away", data={"csrf_token": token})

    assert response.status_code == 404
    assert response.template.name == "error.html"


def test_a_refusal_after_the_transition_was_written_leaves_nothing_behind(
    client: TestClient, web_db: Engine
) -> None:
    team_id, cycle_id, token = _member_with_cycle(client, web_db)
    with unit_of_work(web_db) as session:
        onboarding = start_instance(
            session=session,
            workflow_name="onboarding",
            actor_id=None,
            reason="Team started onboarding",
            team_id=team_id,
        )
        onboarding_id = onboarding.id or 0
    _walk_onboarding_to_choose(web_db, onboarding_id)
    choice = {"condition": "vision-and-strategy", "basis": "greatest_need", "reason": "Weakest."}
    save(web_db, onboarding_id, "condition_choice", choice)

    # Its next cycle cannot start while the team's cycle on shared influence is open.
    page = client.post(
        f"/cycles/{onboarding_id}/triggers/choose_condition", data={"csrf_token": token}
    )

    assert page.context["flash"].kind == "refused"
    assert "already has an open cycle" in page.context["flash"].reasons[0]
    with unit_of_work(web_db, write=False) as session:
        onboarding = get_instance(session=session, instance_id=onboarding_id)
        assert (onboarding.state, onboarding.version) == ("choose", 6)
        assert [e.trigger for e in history(session=session, instance_id=onboarding_id)][-1] == (
            "finish_self_assessment"
        )
    assert page.context["cycle"].cycle_id == cycle_id
