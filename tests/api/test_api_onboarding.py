"""A new team's onboarding through the API, ending in the choice of its first condition."""

from __future__ import annotations

from typing import Any

from api_helpers import (
    CONDITION,
    Api,
    User,
    coach_of,
    fire,
    fired,
    member_of,
    new_org,
    put_artifact,
    start_cycle,
    today,
)

CONDITIONS = [
    "vision-and-strategy",
    "supportive-administration",
    "capacity-and-resources",
    "enabling-work-structures",
    "relationships-and-social-norms",
    "shared-influence",
    "orientation-to-improve",
]


def _playbook_overview() -> dict[str, Any]:
    return {"reviewed_on": today(), "attendees": ["Ana", "Ben"], "takeaways": "Start small."}


def _self_assessment(conditions: list[str]) -> dict[str, Any]:
    return {
        "ratings": [
            {"condition": c, "dimension": "Shared goals", "level": "developing", "evidence": "Ok"}
            for c in conditions
        ]
    }


def _condition_choice(condition: str = CONDITION) -> dict[str, Any]:
    return {"condition": condition, "basis": "greatest_need", "reason": "Lowest rating."}


def _start_onboarding(member: User, team_id: int) -> dict[str, Any]:
    response = member.post(f"/api/teams/{team_id}/onboarding")
    assert response.status_code == 201, response.text
    return response.json()


def _walk_to_choose(member: User, onboarding_id: int) -> None:
    put_artifact(member, onboarding_id, "playbook_overview", _playbook_overview())
    fired(member, onboarding_id, "finish_overview")
    put_artifact(member, onboarding_id, "self_assessment", _self_assessment(CONDITIONS))
    fired(member, onboarding_id, "finish_self_assessment")
    put_artifact(member, onboarding_id, "condition_choice", _condition_choice())


def test_a_member_starts_onboarding_with_the_playbook_overview(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    onboarding = _start_onboarding(member, org.team_id)
    assert (onboarding["workflow"], onboarding["condition"], onboarding["state"]) == (
        "onboarding",
        None,
        "overview",
    )
    assert [a["kind"] for a in onboarding["required_artifacts"]] == ["playbook_overview"]
    listed = member.get(f"/api/teams/{org.team_id}/cycles").json()
    assert [c["cycle_id"] for c in listed] == [onboarding["cycle_id"]]


def test_a_coach_may_not_start_a_team_onboarding(api: Api) -> None:
    org = new_org(api.db)
    response = coach_of(api, org.team_id).post(f"/api/teams/{org.team_id}/onboarding")
    assert response.status_code == 403


def test_the_self_assessment_must_rate_every_condition(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    onboarding_id = _start_onboarding(member, org.team_id)["cycle_id"]
    put_artifact(member, onboarding_id, "playbook_overview", _playbook_overview())
    fired(member, onboarding_id, "finish_overview")
    put_artifact(member, onboarding_id, "self_assessment", _self_assessment(CONDITIONS[:-1]))
    response = fire(member, onboarding_id, "finish_self_assessment")
    assert response.status_code == 409
    [unmet] = response.json()["detail"]["unmet"]
    assert unmet["gate"] == "rated_every_condition"
    assert CONDITIONS[-1] in unmet["reason"]


def test_choosing_a_condition_finishes_onboarding_and_starts_the_first_cycle(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    onboarding_id = _start_onboarding(member, org.team_id)["cycle_id"]
    _walk_to_choose(member, onboarding_id)

    done = fired(member, onboarding_id, "choose_condition")

    assert (done["state"], done["final"]) == ("ready", True)
    first_cycle = member.get(f"/api/cycles/{done['next_cycle_id']}").json()
    assert (first_cycle["condition"], first_cycle["state"]) == (CONDITION, "why")
    start = member.get(f"/api/cycles/{done['next_cycle_id']}/history").json()[0]
    assert start["reason"] == "Greatest need: Lowest rating."
    assert (
        member.get(f"/api/teams/{org.team_id}/status").json()["cycle_id"] == first_cycle["cycle_id"]
    )


def test_choosing_a_condition_is_refused_while_a_cycle_is_open_and_nothing_moves(
    api: Api,
) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    open_cycle = start_cycle(member, org.team_id)["cycle_id"]
    onboarding_id = _start_onboarding(member, org.team_id)["cycle_id"]
    _walk_to_choose(member, onboarding_id)

    response = fire(member, onboarding_id, "choose_condition")

    assert response.status_code == 409
    assert response.json()["detail"]["kind"] == "already_open"
    assert member.get(f"/api/cycles/{onboarding_id}").json()["state"] == "choose"
    cycles = member.get(f"/api/teams/{org.team_id}/cycles").json()
    assert sorted(c["cycle_id"] for c in cycles) == sorted([open_cycle, onboarding_id])


def test_a_second_onboarding_is_refused_while_one_is_open_and_allowed_once_it_ends(
    api: Api,
) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    first = _start_onboarding(member, org.team_id)["cycle_id"]

    again = member.post(f"/api/teams/{org.team_id}/onboarding")

    assert again.status_code == 409
    assert again.json()["detail"]["kind"] == "already_open"
    assert f"({first}, at overview)" in again.json()["detail"]["message"]
    _walk_to_choose(member, first)
    fired(member, first, "choose_condition")
    later = _start_onboarding(member, org.team_id)["cycle_id"]
    runs = member.get(f"/api/teams/{org.team_id}/cycles").json()
    assert [r["cycle_id"] for r in runs if r["workflow"] == "onboarding"] == [later, first]
