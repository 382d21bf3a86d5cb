"""A team rates its school on the team page, beside the choice of a condition the ratings inform."""

from __future__ import annotations

from fastapi.testclient import TestClient
from page_factories import form_token, new_person, new_team, signed_in
from sqlalchemy import Engine
from sqlmodel import select

from service.store.database import unit_of_work
from service.store.models import ArtifactRevision, WorkflowInstance

RATING = {
    "ratings.0.condition": "vision-and-strategy",
    "ratings.0.dimension": "A shared vision",
    "ratings.0.level": "developing",
    "ratings.0.evidence": "Half the staff named the same priority in interviews.",
}


def saved_assessments(db: Engine, team_id: int) -> list[tuple[int, int, dict]]:
    """(onboarding run, revision, body) of every self-assessment the team saved."""
    with unit_of_work(db, write=False) as session:
        rows = session.exec(
            select(ArtifactRevision.instance_id, ArtifactRevision.revision, ArtifactRevision.body)
            .join(WorkflowInstance, WorkflowInstance.id == ArtifactRevision.instance_id)
            .where(
                WorkflowInstance.team_id == team_id,
                WorkflowInstance.kind == "onboarding",
                ArtifactRevision.kind == "self_assessment",
            )
            .order_by(ArtifactRevision.id)
        ).all()
        return [tuple(row) for row in rows]


def test_a_new_team_rates_its_school_and_sees_the_rating_beside_the_condition(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    blank = client.get(f"/teams/{team.team_id}")
    assert blank.context["choose"].assessment.action == f"/teams/{team.team_id}/self-assessment"
    assert "The team has not saved a self-assessment yet" in blank.text

    response = client.post(
        f"/teams/{team.team_id}/self-assessment",
        data={**RATING, "csrf_token": form_token(client, team.team_id)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/{team.team_id}#self-assessment"
    page = client.get(response.headers["location"])
    assert page.context["flash"].message == "Saved the self-assessment."
    vision = page.context["choose"].conditions[0]
    assert [(r.dimension, r.level) for r in vision.ratings] == [("A shared vision", "Developing")]
    [(_, revision, body)] = saved_assessments(web_db, team.team_id)
    assert revision == 1
    assert body["ratings"][0]["evidence"] == RATING["ratings.0.evidence"]
    assert ">A shared vision</textarea>" in page.text  # the form holds what was saved


def test_saving_again_revises_the_same_onboarding_run(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))
    second = {
        **RATING,
        "ratings.1.condition": "shared-influence",
        "ratings.1.dimension": "Teachers in decisions",
        "ratings.1.level": "beginning",
        "ratings.1.evidence": "No teacher sits on the budget group.",
    }

    for data in (RATING, second):
        client.post(
            f"/teams/{team.team_id}/self-assessment",
            data={**data, "csrf_token": form_token(client, team.team_id)},
        )

    saved = saved_assessments(web_db, team.team_id)
    assert [revision for _, revision, _ in saved] == [1, 2]
    assert len({run for run, _, _ in saved}) == 1
    assert len(saved[-1][2]["ratings"]) == 2


def test_a_rating_the_rubric_does_not_know_comes_back_marked_and_nothing_is_saved(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.post(
        f"/teams/{team.team_id}/self-assessment",
        data={
            **RATING,
            "ratings.0.level": "excellent",
            "csrf_token": form_token(client, team.team_id),
        },
    )

    assert (page.status_code, page.template.name) == (422, "team.html")
    form = page.context["choose"].assessment
    assert form.errors == (
        "Nothing was saved yet: correct the fields marked below, then save again.",
    )
    [level] = [cell for cell in form.items[0].rows[0] if cell.name == "ratings.0.level"]
    assert level.error
    assert saved_assessments(web_db, team.team_id) == []


def test_a_coach_reads_the_ratings_but_is_offered_no_form_and_cannot_save(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")
    refused = client.post(
        f"/teams/{team.team_id}/self-assessment",
        data={**RATING, "csrf_token": form_token(client, team.team_id)},
    )

    assert page.context["choose"].assessment is None
    assert "Save the self-assessment" not in page.text
    assert refused.status_code == 403
    assert saved_assessments(web_db, team.team_id) == []
