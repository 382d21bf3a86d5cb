"""Coach feedback over HTTP: comment threads, the sign-off gate, and the program's settings."""

from __future__ import annotations

from typing import Any

from api_helpers import (
    Api,
    Org,
    User,
    coach_of,
    fire,
    fired,
    member_of,
    new_org,
    new_team_in,
    program_admin,
    put_artifact,
    start_cycle,
)
from factories import action_timeline, purpose_map, theory_of_action
from httpx2 import Response

SIGNOFF_GATES = ["coach_signoff: purpose_map", "coach_signoff: action_timeline"]


def settings(admin: User, program_id: int, **body: Any) -> Response:
    body.setdefault("stall_days", 21)
    body.setdefault("signoff_triggers", ["launch_test"])
    return admin.put(f"/api/programs/{program_id}/settings", json=body)


def cycle_in_how(api: Api, org: Org, member: User) -> int:
    """A cycle with both plans written once, in a program that wants them signed off."""
    cycle_id: int = start_cycle(member, org.team_id)["cycle_id"]
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    fired(member, cycle_id, "start_planning")
    put_artifact(member, cycle_id, "purpose_map", purpose_map())
    put_artifact(member, cycle_id, "action_timeline", action_timeline())
    assert settings(program_admin(api, org.program_id), org.program_id).status_code == 200
    return cycle_id


def sign(user: User, cycle_id: int, kind: str, revision: int = 1, **body: Any) -> Response:
    body = {"revision": revision, "trigger": "launch_test", **body}
    return user.post(f"/api/cycles/{cycle_id}/artifacts/{kind}/signoffs", json=body)


def say(user: User, cycle_id: int, kind: str, revision: int = 1, **body: Any) -> Response:
    body.setdefault("body", "Who else should be in the room?")
    return user.post(
        f"/api/cycles/{cycle_id}/artifacts/{kind}/revisions/{revision}/comments", json=body
    )


def launch_unmet(member: User, team_id: int) -> list[dict[str, str]]:
    status = member.get(f"/api/teams/{team_id}/status")
    assert status.status_code == 200, status.text
    launch = next(t for t in status.json()["triggers"] if t["name"] == "launch_test")
    return launch["unmet"]


def test_launch_waits_for_a_coach_to_sign_off_both_current_revisions(api: Api) -> None:
    org = new_org(api.db)
    member, coach = member_of(api, org.team_id), coach_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)

    assert [u["gate"] for u in launch_unmet(member, org.team_id)] == SIGNOFF_GATES
    refused = fire(member, cycle_id, "launch_test")
    assert refused.status_code == 409, refused.text
    assert [u["gate"] for u in refused.json()["detail"]["unmet"]] == SIGNOFF_GATES

    signed = sign(coach, cycle_id, "purpose_map")
    assert signed.status_code == 201, signed.text
    assert signed.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "kind": "purpose_map",
        "iteration": 1,
        "revision": 1,
        "trigger": "launch_test",
        "coach_id": coach.id,
        "coach": coach.name,
        "created_at": "",
        "current": True,
    }
    assert launch_unmet(member, org.team_id) == [
        {
            "gate": "coach_signoff: action_timeline",
            "reason": "A coach must sign off the action timeline as it stands now (revision 1); "
            "it has no sign-off yet.",
        }
    ]
    assert fire(member, cycle_id, "launch_test").status_code == 409

    assert sign(coach, cycle_id, "action_timeline").status_code == 201
    assert fired(member, cycle_id, "launch_test")["state"] == "implement"


def test_an_edit_after_the_signoff_shows_the_gate_again(api: Api) -> None:
    org = new_org(api.db)
    member, coach = member_of(api, org.team_id), coach_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)
    assert sign(coach, cycle_id, "purpose_map").status_code == 201
    put_artifact(member, cycle_id, "purpose_map", {**purpose_map(), "vision": "Sharper."})

    (gate,) = [u for u in launch_unmet(member, org.team_id) if "purpose_map" in u["gate"]]
    assert gate["reason"].endswith("(revision 2); the last sign-off was on revision 1.")
    stale = sign(coach, cycle_id, "purpose_map", 1)
    assert stale.status_code == 422
    assert "no longer current" in stale.json()["detail"]
    listed = member.get(f"/api/cycles/{cycle_id}/signoffs")
    assert [(s["revision"], s["current"]) for s in listed.json()] == [(1, False)]


def test_only_the_teams_coaches_and_admins_may_sign_off(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)
    neighbour_coach = coach_of(api, new_team_in(api.db, org.school_id)[0])

    assert sign(member, cycle_id, "purpose_map").status_code == 403
    assert sign(neighbour_coach, cycle_id, "purpose_map").status_code == 404
    assert neighbour_coach.get(f"/api/cycles/{cycle_id}/signoffs").status_code == 404
    admin = program_admin(api, org.program_id)
    assert sign(admin, cycle_id, "purpose_map").status_code == 201
    assert sign(admin, cycle_id, "purpose_map").status_code == 422  # already signed


def test_a_signoff_names_a_revision_and_a_document_that_exist(api: Api) -> None:
    org = new_org(api.db)
    coach = coach_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member_of(api, org.team_id))

    assert sign(coach, cycle_id, "purpose_map", 7).status_code == 404
    assert sign(coach, cycle_id, "lesson_plan").status_code == 404
    assert sign(coach, cycle_id, "purpose_map", trigger="start_review").status_code == 422
    assert sign(coach, cycle_id, "purpose_map", 0).status_code == 422
    assert sign(coach, cycle_id, "purpose_map", note="extra").status_code == 422
    assert sign(coach, 2**31 - 1, "purpose_map").status_code == 404


def test_a_coach_comments_and_a_member_replies_in_the_artifacts_thread(api: Api) -> None:
    org = new_org(api.db)
    member, coach = member_of(api, org.team_id), coach_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)

    asked = say(coach, cycle_id, "purpose_map", body="  Name the grade teams.  ")
    assert asked.status_code == 201, asked.text
    put_artifact(member, cycle_id, "purpose_map", {**purpose_map(), "vision": "Named."})
    replied = say(member, cycle_id, "purpose_map", 2, body="Done.", parent_id=asked.json()["id"])
    assert replied.status_code == 201, replied.text

    found = coach.get(f"/api/cycles/{cycle_id}/artifacts/purpose_map/comments")
    assert found.status_code == 200
    assert [(c["revision"], c["author"], c["body"], c["parent_id"]) for c in found.json()] == [
        (1, coach.name, "Name the grade teams.", None),
        (2, member.name, "Done.", asked.json()["id"]),
    ]
    empty = member.get(f"/api/cycles/{cycle_id}/artifacts/action_timeline/comments")
    assert empty.json() == []


def test_a_reply_to_a_comment_in_another_artifacts_thread_is_refused(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)
    on_timeline = say(member, cycle_id, "action_timeline").json()["id"]

    refused = say(member, cycle_id, "purpose_map", parent_id=on_timeline)

    assert refused.status_code == 422
    assert "not in this cycle's purpose_map thread" in refused.json()["detail"]


def test_comments_need_a_known_revision_a_body_and_a_place_on_the_team(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = cycle_in_how(api, org, member)
    stranger = member_of(api, new_team_in(api.db, org.school_id)[0])

    assert say(member, cycle_id, "purpose_map", 5).status_code == 404
    assert say(member, cycle_id, "lesson_plan").status_code == 404
    assert member.get(f"/api/cycles/{cycle_id}/artifacts/lesson_plan/comments").status_code == 404
    assert say(member, cycle_id, "purpose_map", body=" ").status_code == 422
    assert say(member, cycle_id, "purpose_map", parent_id=0).status_code == 422
    assert say(member, cycle_id, "data_collection").status_code == 422
    assert say(stranger, cycle_id, "purpose_map").status_code == 404


def test_program_admins_set_the_stall_days_and_the_signoff_triggers(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)

    saved = settings(admin, org.program_id, stall_days=14, signoff_triggers=["conclude_review"])

    assert saved.status_code == 200, saved.text
    read = admin.get(f"/api/programs/{org.program_id}/settings").json()
    assert read == saved.json()
    assert (read["stall_days"], read["signoff_triggers"]) == (14, ["conclude_review"])
    assert "launch_test" in read["signable_triggers"]


def test_settings_refuse_unknown_triggers_bad_stall_days_and_non_admins(api: Api) -> None:
    org = new_org(api.db)
    admin = program_admin(api, org.program_id)
    member, coach = member_of(api, org.team_id), coach_of(api, org.team_id)

    unknown = settings(admin, org.program_id, signoff_triggers=["take_off"])
    assert unknown.status_code == 422
    assert "take_off" in unknown.json()["detail"]
    for days in (0, 366):
        assert settings(admin, org.program_id, stall_days=days).status_code == 422
    assert settings(admin, org.program_id, signoff_triggers="launch_test").status_code == 422
    assert admin.put(f"/api/programs/{org.program_id}/settings", json={}).status_code == 422
    assert settings(member, org.program_id).status_code == 404
    assert settings(coach, org.program_id).status_code == 404
    other_admin = program_admin(api, new_org(api.db).program_id)
    assert settings(other_admin, org.program_id).status_code == 404
