"""A team's onboarding as the team page runs it: the overview, the self-assessment, the choice.

The onboarding workflow holds the self-assessment the choice of a condition reads, and the
choice that starts the team's first cycle. A team that rates its school before starting an
onboarding run gets one started for it, so its ratings live where the API keeps them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.catalog import get_catalog
from service.errors import OnboardingAlreadyOpen
from service.instances import fire_trigger, save_artifact, start_instance
from service.queries import lock_team
from service.store.models import ArtifactRevision, WorkflowInstance

ONBOARDING = "onboarding"
SELF_ASSESSMENT = "self_assessment"
CHOOSING = "choose"


@dataclass(frozen=True)
class OnboardingRun:
    instance_id: int
    state: str
    finished: bool


def latest_onboarding(*, session: Session, team_id: int) -> OnboardingRun | None:
    """The team's latest onboarding run, finished or not."""
    finals = {s.name for s in get_catalog().definition(ONBOARDING).states if s.final}
    latest = session.exec(
        select(WorkflowInstance.id, WorkflowInstance.state)
        .where(WorkflowInstance.team_id == team_id, WorkflowInstance.kind == ONBOARDING)
        .order_by(col(WorkflowInstance.id).desc())
    ).first()
    if latest is None or latest[0] is None:
        return None
    return OnboardingRun(latest[0], latest[1], latest[1] in finals)


def start_onboarding(*, session: Session, team_id: int, actor_id: int | None, reason: str) -> int:
    """A new onboarding run for the team (its id); refused while another one is open."""
    lock_team(session=session, team_id=team_id)  # so a run started meanwhile is seen below
    run = latest_onboarding(session=session, team_id=team_id)
    if run is not None and not run.finished:
        raise OnboardingAlreadyOpen(team_id, run.instance_id, run.state)
    started = start_instance(
        session=session,
        workflow_name=ONBOARDING,
        actor_id=actor_id,
        reason=reason,
        team_id=team_id,
    )
    assert started.id is not None
    return started.id


def save_self_assessment(
    *, session: Session, team_id: int, data: object, author_id: int
) -> ArtifactRevision:
    """A new revision of the team's self-assessment, in its open onboarding run or a new one."""
    run = latest_onboarding(session=session, team_id=team_id)
    if run is not None and not run.finished:
        run_id = run.instance_id
    else:
        # A request saving at the same moment may start the run first: then use that one.
        # (The team's lock is taken only here: a run's choice holds the run's lock and then
        # takes the team's, to start the cycle.)
        try:
            run_id = start_onboarding(
                session=session,
                team_id=team_id,
                actor_id=author_id,
                reason="The team rated its school from the team page",
            )
        except OnboardingAlreadyOpen as started_meanwhile:
            run_id = started_meanwhile.run_id
    return save_artifact(
        session=session,
        instance_id=run_id,
        kind=SELF_ASSESSMENT,
        data=data,
        author_id=author_id,
    )


def choose_in_onboarding(
    *, session: Session, run_id: int, choice: dict[str, str], actor_id: int
) -> int | None:
    """Record the choice in the run and end it; the engine starts the chosen cycle (its id)."""
    save_artifact(
        session=session,
        instance_id=run_id,
        kind="condition_choice",
        data=choice,
        author_id=actor_id,
    )
    fired = fire_trigger(
        session=session, instance_id=run_id, trigger="choose_condition", actor_id=actor_id
    )
    return fired.next_cycle_id
