"""A school's program phases through the cycle routes: the one place an override is allowed."""

from __future__ import annotations

from api_helpers import Api, fire, fired, member_of, new_org, program_admin, site_admin
from phase_factories import started_phases


def test_a_phase_step_is_blocked_until_a_school_team_gets_far_enough(api: Api) -> None:
    org = new_org(api.db)
    phases_id = started_phases(api.db, org.school_id)
    response = fire(program_admin(api, org.program_id), phases_id, "begin_implementing")
    assert response.status_code == 409
    [unmet] = response.json()["detail"]["unmet"]
    assert unmet["gate"].startswith("school_cycle_reached")


def test_a_program_admin_overrides_a_phase_gate_with_a_reason_kept_in_the_history(
    api: Api,
) -> None:
    org = new_org(api.db)
    phases_id = started_phases(api.db, org.school_id)
    admin = program_admin(api, org.program_id)

    moved = fired(admin, phases_id, "begin_implementing", override=True, reason="State decision")

    assert (moved["workflow"], moved["state"]) == ("program-phases", "implementing")
    last = admin.get(f"/api/cycles/{phases_id}/history").json()[-1]
    assert (last["trigger"], last["reason"], last["actor_id"]) == (
        "begin_implementing",
        "State decision",
        admin.id,
    )
    [overridden] = last["details"]["overridden"]
    assert overridden["gate"].startswith("school_cycle_reached")
    status = member_of(api, org.team_id).get(f"/api/teams/{org.team_id}/status").json()
    assert status["program_phase"]["state"] == "implementing"


def test_an_override_needs_a_written_reason(api: Api) -> None:
    org = new_org(api.db)
    phases_id = started_phases(api.db, org.school_id)
    response = fire(site_admin(api), phases_id, "begin_implementing", override=True, reason=" ")
    assert response.status_code == 409
    assert [u["gate"] for u in response.json()["detail"]["unmet"]] == ["reason_given"]


def test_a_team_member_cannot_see_their_school_phases_let_alone_override_them(api: Api) -> None:
    org = new_org(api.db)
    phases_id = started_phases(api.db, org.school_id)
    member = member_of(api, org.team_id)
    assert member.get(f"/api/cycles/{phases_id}").status_code == 404
    response = fire(member, phases_id, "begin_implementing", override=True, reason="Please")
    assert response.status_code == 404
    assert response.json() == {"detail": f"cycle {phases_id} not found"}
