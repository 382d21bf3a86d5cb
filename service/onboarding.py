"""A team's onboarding as the team page runs it: its self-assessment, saved in its onboarding run.

The onboarding workflow (overview, self-assessment, choice) holds the self-assessment the
choice of a condition reads. A team that rates its school from the team page gets a run
started for it, so its ratings live where the API's onboarding keeps them.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.instances import save_artifact, start_instance
from service.store.models import ArtifactRevision, WorkflowInstance

ONBOARDING = "onboarding"
SELF_ASSESSMENT = "self_assessment"


def open_onboarding(*, session: Session, team_id: int) -> int | None:
    """The team's latest onboarding run, if it has not finished."""
    finals = {s.name for s in get_catalog().definition(ONBOARDING).states if s.final}
    latest = session.exec(
        select(WorkflowInstance.id, WorkflowInstance.state)
        .where(WorkflowInstance.team_id == team_id, WorkflowInstance.kind == ONBOARDING)
        .order_by(col(WorkflowInstance.id).desc())
    ).first()
    if latest is None or latest[1] in finals:
        return None
    return latest[0]


def save_self_assessment(
    *, session: Session, team_id: int, data: object, author_id: int
) -> ArtifactRevision:
    """A new revision of the team's self-assessment, in its open onboarding run or a new one."""
    run_id = open_onboarding(session=session, team_id=team_id)
    if run_id is None:
        run = start_instance(
            session=session,
            workflow_name=ONBOARDING,
            actor_id=author_id,
            reason="The team rated its school from the team page",
            team_id=team_id,
        )
        assert run.id is not None
        run_id = run.id
    return save_artifact(
        session=session,
        instance_id=run_id,
        kind=SELF_ASSESSMENT,
        data=data,
        author_id=author_id,
    )
