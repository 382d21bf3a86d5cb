"""Shared learning over HTTP: a team shares a finished cycle, its program's teams browse it."""

from __future__ import annotations

from typing import Any

from api_helpers import (
    CONDITION,
    NEXT_CONDITION,
    Api,
    User,
    coach_of,
    decision,
    member_of,
    new_org,
    new_team_in,
    program_admin,
    put_artifact,
    start_cycle,
    walk_to_decide,
)
from factories import impact_assessment, theory_of_action
from httpx2 import Response


def _decided(user: User, team_id: int, condition: str = CONDITION) -> int:
    """A cycle standing in `decide` with a complete decision to revisit."""
    cycle_id = start_cycle(user, team_id, condition)["cycle_id"]
    walk_to_decide(user, cycle_id)
    put_artifact(user, cycle_id, "decision", decision("revisit"))
    return cycle_id


def _share(user: User, cycle_id: int) -> Response:
    return user.post(f"/api/cycles/{cycle_id}/share")


def _unshare(user: User, cycle_id: int) -> Response:
    return user.client.delete(f"/api/cycles/{cycle_id}/share", headers=user.headers)


def _shared(user: User, program_id: int, **params: Any) -> Response:
    return user.get(f"/api/programs/{program_id}/shared", params=params)


def test_sharing_an_unfinished_cycle_is_refused_with_the_reason(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = start_cycle(member, org.team_id)["cycle_id"]

    response = _share(member, cycle_id)

    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(
        f"cycle {cycle_id} cannot be shared yet: its review has not been concluded yet "
        "(it is in why)."
    )
    assert _shared(member, org.program_id).json()["total"] == 0


def test_a_shared_cycle_is_browsed_by_another_team_of_the_program(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    neighbour = member_of(api, new_team_in(api.db, org.school_id)[0])
    cycle_id = _decided(member, org.team_id)

    shared = _share(member, cycle_id)
    response = _shared(neighbour, org.program_id)

    assert shared.status_code == 201, shared.text
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 20, 0)
    (row,) = body["rows"]
    assert row == shared.json()
    assert (row["cycle_id"], row["team_id"], row["team"]) == (cycle_id, org.team_id, org.team_name)
    assert (row["condition"], row["iteration"], row["shared_by"]) == (CONDITION, 1, member.name)
    assert row["theory_of_action"] == theory_of_action()
    assert row["impact_assessment"] == impact_assessment()
    assert row["decision"] == {**decision("revisit"), "next_condition": None}


def test_a_cycle_is_shared_once(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = _decided(member, org.team_id)
    assert _share(member, cycle_id).status_code == 201

    again = _share(member, cycle_id)

    assert again.status_code == 409, again.text
    assert again.json()["detail"] == {
        "message": f"cycle {cycle_id} is already shared with its program",
        "kind": "refused",
    }


def test_only_people_who_work_in_the_program_may_browse_it(api: Api) -> None:
    org, elsewhere = new_org(api.db), new_org(api.db)
    member = member_of(api, org.team_id)
    _share(member, _decided(member, org.team_id))
    stranger = member_of(api, elsewhere.team_id)

    assert _shared(stranger, org.program_id).status_code == 404
    assert _shared(program_admin(api, elsewhere.program_id), org.program_id).status_code == 404
    assert _shared(coach_of(api, org.team_id), org.program_id).json()["total"] == 1
    assert _shared(program_admin(api, org.program_id), org.program_id).json()["total"] == 1


def test_only_the_team_may_share_or_unshare_its_cycle(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = _decided(member, org.team_id)
    neighbour = member_of(api, new_team_in(api.db, org.school_id)[0])
    coach = coach_of(api, org.team_id)

    assert _share(neighbour, cycle_id).status_code == 404
    assert _share(coach, cycle_id).status_code == 403
    assert _share(member, cycle_id).status_code == 201
    assert _unshare(neighbour, cycle_id).status_code == 404
    assert _unshare(coach, cycle_id).status_code == 403
    assert _shared(neighbour, org.program_id).json()["total"] == 1


def test_unsharing_takes_the_cycle_out_of_the_list(api: Api) -> None:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = _decided(member, org.team_id)
    _share(member, cycle_id)

    response = _unshare(member, cycle_id)

    assert response.status_code == 204
    assert response.content == b""
    assert _shared(member, org.program_id).json() == {
        "total": 0,
        "limit": 20,
        "offset": 0,
        "rows": [],
    }
    assert _unshare(member, cycle_id).status_code == 404


def test_the_list_filters_by_condition(api: Api) -> None:
    org = new_org(api.db)
    other_team, _ = new_team_in(api.db, org.school_id)
    member, other = member_of(api, org.team_id), member_of(api, other_team)
    vision = _decided(member, org.team_id)
    influence = _decided(other, other_team, NEXT_CONDITION)
    _share(member, vision)
    _share(other, influence)

    def listed(condition: str) -> list[int]:
        rows = _shared(member, org.program_id, condition=condition).json()["rows"]
        return [row["cycle_id"] for row in rows]

    assert (listed(CONDITION), listed(NEXT_CONDITION)) == ([vision], [influence])
    unknown = _shared(member, org.program_id, condition="no-such-condition")
    assert unknown.status_code == 422
    assert "unknown condition 'no-such-condition'" in unknown.json()["detail"]


def test_the_list_pages_newest_share_first(api: Api) -> None:
    org = new_org(api.db)
    cycles = []
    for _ in range(3):
        team_id, _name = new_team_in(api.db, org.school_id)
        member = member_of(api, team_id)
        cycles.append(_decided(member, team_id))
        assert _share(member, cycles[-1]).status_code == 201

    pages = [_shared(member, org.program_id, limit=2, offset=o).json() for o in (0, 2, 4)]

    assert [(p["total"], p["limit"], p["offset"]) for p in pages] == [
        (3, 2, 0),
        (3, 2, 2),
        (3, 2, 4),
    ]
    assert [[r["cycle_id"] for r in p["rows"]] for p in pages] == [cycles[:0:-1], cycles[:1], []]
    assert _shared(member, org.program_id, limit=0).status_code == 422
    assert _shared(member, org.program_id, limit=101).status_code == 422
