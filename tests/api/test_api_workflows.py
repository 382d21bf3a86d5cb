"""Workflow definitions and diagrams, as this server runs them, through /api/workflows."""

from __future__ import annotations

import pytest
from api_helpers import CONDITION, Api, new_user

CONDITIONS = {
    "vision-and-strategy",
    "supportive-administration",
    "capacity-and-resources",
    "enabling-work-structures",
    "relationships-and-social-norms",
    "shared-influence",
    "orientation-to-improve",
}


def test_every_workflow_is_listed_with_its_kind_and_condition(sqlite_api: Api) -> None:
    listed = new_user(sqlite_api).get("/api/workflows").json()
    by_name = {w["name"]: w for w in listed}
    assert set(by_name) == CONDITIONS | {"onboarding", "program-phases"}
    assert {n for n, w in by_name.items() if w["kind"] == "cycle"} == CONDITIONS
    assert all(by_name[c]["condition"] == c for c in CONDITIONS)
    assert by_name["onboarding"]["condition"] is None
    assert all(len(w["digest"]) >= 32 and w["version"] >= 1 and w["title"] for w in listed)


def test_a_workflow_is_read_whole_with_the_artifact_schemas_it_uses(sqlite_api: Api) -> None:
    user = new_user(sqlite_api)
    listed = {w["name"]: w for w in user.get("/api/workflows").json()}
    response = user.get(f"/api/workflows/{CONDITION}")
    assert response.status_code == 200
    workflow = response.json()
    assert (workflow["name"], workflow["kind"], workflow["initial"]) == (CONDITION, "cycle", "why")
    assert workflow["digest"] == listed[CONDITION]["digest"]
    assert [s["name"] for s in workflow["states"]] == [
        "why",
        "how",
        "implement",
        "review",
        "decide",
        "closed",
    ]
    assert {t["trigger"] for t in workflow["transitions"]} >= {"start_planning", "move_on"}
    assert set(workflow["artifacts"]) == {
        "theory_of_action",
        "purpose_map",
        "action_timeline",
        "data_collection",
        "impact_assessment",
        "decision",
    }
    fields = [f["name"] for f in workflow["artifacts"]["theory_of_action"]["fields"]]
    assert fields[0] == "goal" and fields[-1] == "statement"


def test_a_workflow_diagram_is_mermaid_with_an_optional_highlight(sqlite_api: Api) -> None:
    user = new_user(sqlite_api)
    plain = user.get("/api/workflows/program-phases/diagram").json()
    assert (plain["workflow"], plain["version"], plain["highlight"]) == ("program-phases", 1, None)
    assert "stateDiagram-v2" in plain["mermaid"]
    assert plain["mermaid"].count("s_active") == 1  # defined, used by no state
    marked = user.get("/api/workflows/program-phases/diagram?highlight=implementing").json()
    assert marked["highlight"] == "implementing"
    assert "Class implementing s_active" in marked["mermaid"]


def test_a_highlight_must_be_a_state_of_the_workflow(sqlite_api: Api) -> None:
    response = new_user(sqlite_api).get(f"/api/workflows/{CONDITION}/diagram?highlight=nowhere")
    assert response.status_code == 422
    assert "why" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/workflows/{}", "/api/workflows/{}/diagram"])
def test_an_unknown_workflow_is_refused_with_the_known_names(sqlite_api: Api, url: str) -> None:
    response = new_user(sqlite_api).get(url.format("world-peace"))
    assert response.status_code == 422
    assert "world-peace" in response.json()["detail"]
    assert "onboarding" in response.json()["detail"]
