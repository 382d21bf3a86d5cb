"""A team's cycles through the API: starting one, its status, triggers, history, diagram."""

from __future__ import annotations

import datetime as dt

import pytest
from api_helpers import (
    CONDITION,
    NEXT_CONDITION,
    Api,
    User,
    decision,
    fire,
    fired,
    member_of,
    new_org,
    program_admin,
    put_artifact,
    start_cycle,
    walk_to_decide,
)
from contract import CYCLE_TRIGGERS
from factories import theory_of_action

from service.instances import start_instance
from service.store.database import unit_of_work


def _working_team(api: Api) -> tuple[User, int]:
    """A team member and the team's id."""
    org = new_org(api.db)
    return member_of(api, org.team_id), org.team_id


def _cycle_in_why(api: Api) -> tuple[User, int]:
    member, team_id = _working_team(api)
    return member, start_cycle(member, team_id)["cycle_id"]


def _cycle_in_how(api: Api) -> tuple[User, int]:
    member, cycle_id = _cycle_in_why(api)
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    fired(member, cycle_id, "start_planning")
    return member, cycle_id


# Starting a cycle


def test_a_member_starts_a_cycle_in_why_with_the_reason_in_its_history(api: Api) -> None:
    member, team_id = _working_team(api)
    response = member.post(
        f"/api/teams/{team_id}/cycles", json={"condition": CONDITION, "reason": "Greatest need"}
    )
    assert response.status_code == 201
    cycle = response.json()
    assert (cycle["workflow"], cycle["condition"], cycle["state"]) == (CONDITION, CONDITION, "why")
    assert (cycle["iteration"], cycle["version"], cycle["final"]) == (1, 1, False)
    assert cycle["launched_on"] is None
    assert cycle["id"] == cycle["cycle_id"]
    history = member.get(f"/api/cycles/{cycle['id']}/history").json()
    assert [(e["trigger"], e["to_state"], e["reason"]) for e in history] == [
        ("start", "why", "Greatest need")
    ]


def test_starting_a_cycle_on_an_unknown_condition_is_refused(api: Api) -> None:
    member, team_id = _working_team(api)
    response = member.post(
        f"/api/teams/{team_id}/cycles", json={"condition": "world-peace", "reason": "Why not"}
    )
    assert response.status_code == 422
    assert "unknown condition 'world-peace'" in response.json()["detail"]
    assert CONDITION in response.json()["detail"]


def test_a_workflow_that_is_not_a_condition_cannot_be_started_as_a_cycle(api: Api) -> None:
    member, team_id = _working_team(api)
    for name in ("onboarding", "program-phases"):
        response = member.post(
            f"/api/teams/{team_id}/cycles", json={"condition": name, "reason": "Sneaky"}
        )
        assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"condition": CONDITION, "reason": "   "},
        {"condition": CONDITION, "reason": ""},
        {"condition": CONDITION},
        {"reason": "Greatest need"},
        {"condition": CONDITION, "reason": "ok", "state": "decide"},
    ],
    ids=["blank-reason", "empty-reason", "no-reason", "no-condition", "unknown-field"],
)
def test_a_cycle_needs_a_condition_and_a_reason_and_nothing_else(
    api: Api, body: dict[str, str]
) -> None:
    member, team_id = _working_team(api)
    assert member.post(f"/api/teams/{team_id}/cycles", json=body).status_code == 422
    assert member.get(f"/api/teams/{team_id}/cycles").json() == []


def test_a_team_works_one_condition_at_a_time(api: Api) -> None:
    member, team_id = _working_team(api)
    first = start_cycle(member, team_id)
    response = member.post(
        f"/api/teams/{team_id}/cycles", json={"condition": NEXT_CONDITION, "reason": "Also"}
    )
    assert response.status_code == 409
    assert response.json()["detail"]["kind"] == "already_open"
    assert str(first["cycle_id"]) in response.json()["detail"]["message"]
    assert [c["cycle_id"] for c in member.get(f"/api/teams/{team_id}/cycles").json()] == [
        first["cycle_id"]
    ]


# Status


def test_a_team_without_a_cycle_has_an_empty_status(api: Api) -> None:
    member, team_id = _working_team(api)
    status = member.get(f"/api/teams/{team_id}/status").json()
    assert status["team_id"] == team_id
    assert status["cycle"] is None
    assert status["program_phase"] is None
    for name in ("cycle_id", "condition", "state", "iteration", "title", "goal", "entered_at"):
        assert status[name] is None, name
    assert (status["required_artifacts"], status["triggers"]) == ([], [])


def test_the_status_says_what_the_team_owes_and_why_each_trigger_is_blocked(api: Api) -> None:
    member, team_id = _working_team(api)
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    status = member.get(f"/api/teams/{team_id}/status").json()
    assert (status["cycle_id"], status["condition"], status["state"]) == (
        cycle_id,
        CONDITION,
        "why",
    )
    assert status["iteration"] == 1
    assert status["title"] and status["goal"]
    entered = dt.datetime.fromisoformat(status["entered_at"])
    assert abs(dt.datetime.now(dt.UTC) - entered) < dt.timedelta(minutes=5)
    assert status["days_in_state"] in (0, 1)  # 1 only when the test straddles midnight UTC
    assert status["program_phase"] is None
    [owed] = status["required_artifacts"]
    assert (owed["kind"], owed["status"], owed["missing_fields"]) == (
        "theory_of_action",
        "missing",
        [],
    )
    trigger, *elsewhere = status["triggers"]
    assert (trigger["name"], trigger["dest"], trigger["allowed"], trigger["available"]) == (
        "start_planning",
        "how",
        False,
        True,
    )
    assert trigger["needs_reason"] is False
    [unmet] = trigger["unmet"]
    assert unmet["gate"] == "complete: theory_of_action"
    assert "theory of action" in unmet["reason"]
    assert [t["name"] for t in elsewhere] == CYCLE_TRIGGERS[1:]
    launch = elsewhere[0]
    assert (launch["allowed"], launch["available"]) == (False, False)
    assert launch["unmet"] == [
        {"gate": "available_from", "reason": "launch_test is taken from how, not from why."}
    ]
    assert status["cycle"]["cycle_id"] == cycle_id
    assert status["cycle"]["triggers"] == status["triggers"]


def test_the_status_names_each_field_still_missing_from_a_draft(api: Api) -> None:
    member, team_id = _working_team(api)
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    put_artifact(member, cycle_id, "theory_of_action", {"goal": "Plan together", "barrier": " "})
    status = member.get(f"/api/teams/{team_id}/status").json()
    [owed] = status["required_artifacts"]
    assert owed["status"] == "incomplete"
    assert owed["missing_fields"] == [
        "problem_of_practice",
        "staff_evidence",
        "barrier",
        "approach",
        "statement",
    ]


def test_the_status_shows_the_school_program_phase(api: Api) -> None:
    org = new_org(api.db)
    with unit_of_work(api.db) as session:
        start_instance(
            session=session,
            workflow_name="program-phases",
            actor_id=None,
            reason="Joined the program",
            school_id=org.school_id,
        )
    phase = member_of(api, org.team_id).get(f"/api/teams/{org.team_id}/status").json()
    assert phase["program_phase"]["state"] == "designing"
    assert phase["program_phase"]["title"]


def test_a_cycle_is_read_by_its_id_and_listed_with_the_team_cycles(api: Api) -> None:
    member, team_id = _working_team(api)
    started = start_cycle(member, team_id)
    assert member.get(f"/api/cycles/{started['cycle_id']}").json() == started
    assert member.get(f"/api/teams/{team_id}/cycles").json() == [started]
    assert member.get("/api/cycles/1000000000").status_code == 404


# Triggers


def test_a_blocked_trigger_is_refused_with_every_unmet_gate_and_nothing_changes(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    response = fire(member, cycle_id, "start_planning")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert (detail["kind"], detail["trigger"]) == ("gates_unmet", "start_planning")
    assert [u["gate"] for u in detail["unmet"]] == ["complete: theory_of_action"]
    assert detail["unmet"][0]["reason"] in detail["message"]
    cycle = member.get(f"/api/cycles/{cycle_id}").json()
    assert (cycle["state"], cycle["version"]) == ("why", 1)
    assert len(member.get(f"/api/cycles/{cycle_id}/history").json()) == 1


def test_an_allowed_trigger_moves_the_cycle_and_answers_with_the_new_status(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    response = fire(member, cycle_id, "start_planning")
    assert response.status_code == 200
    moved = response.json()
    assert (moved["cycle_id"], moved["state"], moved["next_cycle_id"]) == (cycle_id, "how", None)
    assert [a["kind"] for a in moved["required_artifacts"]] == ["purpose_map", "action_timeline"]
    available = {t["name"] for t in moved["triggers"] if t["available"]}
    assert available == {"launch_test", "step_back"}
    assert member.get(f"/api/cycles/{cycle_id}").json()["state"] == "how"


def test_a_trigger_fires_without_any_body(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    response = member.post(f"/api/cycles/{cycle_id}/triggers/start_planning")
    assert response.status_code == 200


def test_an_unknown_trigger_is_not_found(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    response = fire(member, cycle_id, "skip_to_the_end")
    assert response.status_code == 404
    assert "skip_to_the_end" in response.json()["detail"]


def test_a_trigger_of_another_state_is_refused_as_not_available(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    response = fire(member, cycle_id, "launch_test")
    assert response.status_code == 409
    assert response.json()["detail"]["kind"] == "not_available"
    assert "why" in response.json()["detail"]["message"]


def test_a_trigger_with_a_stale_expected_version_changes_nothing(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    seen = member.get(f"/api/cycles/{cycle_id}").json()["version"]
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    response = fire(member, cycle_id, "start_planning", expected_version=seen)
    assert response.status_code == 409
    assert response.json()["detail"]["kind"] == "changed_meanwhile"
    assert member.get(f"/api/cycles/{cycle_id}").json()["state"] == "why"
    current = member.get(f"/api/cycles/{cycle_id}").json()["version"]
    assert fire(member, cycle_id, "start_planning", expected_version=current).status_code == 200


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_stepping_back_without_a_reason_is_refused(api: Api, reason: str | None) -> None:
    member, cycle_id = _cycle_in_how(api)
    step_back = next(
        t
        for t in member.get(f"/api/cycles/{cycle_id}").json()["triggers"]
        if t["name"] == "step_back"
    )
    assert step_back["needs_reason"] is True
    response = fire(member, cycle_id, "step_back", reason=reason)
    assert response.status_code == 409
    assert [u["gate"] for u in response.json()["detail"]["unmet"]] == ["reason_given"]
    assert member.get(f"/api/cycles/{cycle_id}").json()["state"] == "how"


def test_stepping_back_with_a_reason_returns_and_keeps_the_reason(api: Api) -> None:
    member, cycle_id = _cycle_in_how(api)
    moved = fired(member, cycle_id, "step_back", reason="The goal was too vague.")
    assert moved["state"] == "why"
    last = member.get(f"/api/cycles/{cycle_id}/history").json()[-1]
    assert (last["trigger"], last["from_state"], last["to_state"], last["reason"]) == (
        "step_back",
        "how",
        "why",
        "The goal was too vague.",
    )


def test_a_reason_longer_than_five_thousand_characters_is_refused(api: Api) -> None:
    member, cycle_id = _cycle_in_how(api)
    assert fire(member, cycle_id, "step_back", reason="x" * 5001).status_code == 422


def test_a_trigger_body_with_an_unknown_field_is_refused(api: Api) -> None:
    member, cycle_id = _cycle_in_how(api)
    response = fire(member, cycle_id, "step_back", reason="Fine", to_state="decide")
    assert response.status_code == 422
    assert member.get(f"/api/cycles/{cycle_id}").json()["state"] == "how"


def test_a_team_member_may_not_override_a_gate(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    response = fire(member, cycle_id, "start_planning", override=True, reason="Trust us")
    assert response.status_code == 403
    assert response.json() == {"detail": "you may not administer this"}
    assert member.get(f"/api/cycles/{cycle_id}").json()["state"] == "why"


def test_a_program_admin_cannot_override_a_cycle_gate_either_since_none_is_overridable(
    api: Api,
) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = start_cycle(member, org.team_id)["cycle_id"]
    admin = program_admin(api, org.program_id)
    response = fire(admin, cycle_id, "start_planning", override=True, reason="Trust them")
    assert response.status_code == 409
    assert response.json()["detail"]["unmet"] == [
        {"gate": "override", "reason": "start_planning cannot be overridden."}
    ]


# A whole cycle


def test_a_team_walks_a_whole_cycle_and_moving_on_starts_the_next_condition(api: Api) -> None:
    member, team_id = _working_team(api)
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    assert walk_to_decide(member, cycle_id)["state"] == "decide"
    put_artifact(member, cycle_id, "decision", decision("move_on", NEXT_CONDITION))

    closed = fired(member, cycle_id, "move_on")

    assert (closed["state"], closed["final"]) == ("closed", True)
    assert not any(t["allowed"] or t["available"] for t in closed["triggers"])
    assert {u["reason"] for t in closed["triggers"] for u in t["unmet"]} == {
        "closed is the end: no step leaves it."
    }
    next_cycle_id = closed["next_cycle_id"]
    assert isinstance(next_cycle_id, int) and next_cycle_id != cycle_id
    following = member.get(f"/api/cycles/{next_cycle_id}").json()
    assert (following["condition"], following["state"], following["iteration"]) == (
        NEXT_CONDITION,
        "why",
        1,
    )
    assert member.get(f"/api/teams/{team_id}/status").json()["cycle_id"] == next_cycle_id
    listed = member.get(f"/api/teams/{team_id}/cycles").json()
    assert [(c["cycle_id"], c["state"]) for c in listed] == [
        (next_cycle_id, "why"),
        (cycle_id, "closed"),
    ]
    start = member.get(f"/api/cycles/{next_cycle_id}/history").json()[0]
    assert (start["trigger"], start["reason"]) == ("start", "The review says so.")


def test_the_history_of_a_cycle_lists_every_step_oldest_first(api: Api) -> None:
    member, team_id = _working_team(api)
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("move_on", NEXT_CONDITION))
    next_cycle_id = fired(member, cycle_id, "move_on")["next_cycle_id"]

    history = member.get(f"/api/cycles/{cycle_id}/history").json()

    assert [(e["trigger"], e["from_state"], e["to_state"]) for e in history] == [
        ("start", None, "why"),
        ("start_planning", "why", "how"),
        ("launch_test", "how", "implement"),
        ("start_review", "implement", "review"),
        ("conclude_review", "review", "decide"),
        ("move_on", "decide", "closed"),
    ]
    assert [e["seq"] for e in history] == [1, 2, 3, 4, 5, 6]
    times = [dt.datetime.fromisoformat(e["at"]) for e in history]
    assert times == sorted(times)
    assert {(e["actor"], e["actor_id"]) for e in history} == {(member.name, member.id)}
    assert history[0]["reason"] == "Greatest need"
    assert history[-1]["details"] == {
        "next_cycle_id": next_cycle_id,
        "next_condition": NEXT_CONDITION,
    }


def test_a_closed_cycle_accepts_no_more_work(api: Api) -> None:
    member, team_id = _working_team(api)
    cycle_id = start_cycle(member, team_id)["cycle_id"]
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("move_on", NEXT_CONDITION))
    fired(member, cycle_id, "move_on")
    for response in (
        fire(member, cycle_id, "step_back", reason="Wait"),
        member.put(f"/api/cycles/{cycle_id}/artifacts/decision", json=decision("revisit")),
        member.post(f"/api/cycles/{cycle_id}/records/data_collection", json={}),
    ):
        assert response.status_code == 409
        assert response.json()["detail"]["kind"] == "closed"


def test_moving_on_to_the_same_condition_is_refused(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("move_on", CONDITION))
    response = fire(member, cycle_id, "move_on")
    assert response.status_code == 409
    assert "different" in response.json()["detail"]["unmet"][0]["reason"]


def test_revisiting_starts_iteration_two_and_keeps_iteration_one_readable(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("revisit"))

    again = fired(member, cycle_id, "revisit")

    assert (again["state"], again["iteration"], again["launched_on"]) == ("why", 2, None)
    assert again["next_cycle_id"] is None
    fresh = member.get(f"/api/cycles/{cycle_id}/artifacts/theory_of_action").json()
    assert (fresh["iteration"], fresh["status"], fresh["current"]) == (2, "missing", None)
    earlier = member.get(f"/api/cycles/{cycle_id}/artifacts/theory_of_action?iteration=1").json()
    assert (earlier["iteration"], earlier["status"]) == (1, "complete")
    assert earlier["current"]["body"] == theory_of_action()
    records = member.get(f"/api/cycles/{cycle_id}/records/data_collection?iteration=1").json()
    assert len(records) == 1
    assert member.get(f"/api/cycles/{cycle_id}/records/data_collection").json() == []


def test_iteration_two_needs_its_own_theory_of_action(api: Api) -> None:
    member, cycle_id = _cycle_in_why(api)
    walk_to_decide(member, cycle_id)
    put_artifact(member, cycle_id, "decision", decision("revisit"))
    fired(member, cycle_id, "revisit")
    assert fire(member, cycle_id, "start_planning").status_code == 409
    saved = put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    assert (saved["iteration"], saved["current"]["revision"]) == (2, 1)
    assert fired(member, cycle_id, "start_planning")["iteration"] == 2


# Diagram


def test_a_cycle_diagram_highlights_the_current_state(api: Api) -> None:
    member, cycle_id = _cycle_in_how(api)
    response = member.get(f"/api/cycles/{cycle_id}/diagram")
    assert response.status_code == 200
    diagram = response.json()
    assert (diagram["workflow"], diagram["version"], diagram["highlight"]) == (CONDITION, 1, "how")
    assert "stateDiagram-v2" in diagram["mermaid"]
    assert "Class how s_active" in diagram["mermaid"]
    assert "Class why s_default" in diagram["mermaid"]


def test_an_unknown_cycle_has_no_history_or_diagram(api: Api) -> None:
    member, _ = _working_team(api)
    for url in ("/api/cycles/1000000000/history", "/api/cycles/1000000000/diagram"):
        assert member.get(url).status_code == 404, url
