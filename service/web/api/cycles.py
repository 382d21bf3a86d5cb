"""A team's cycles: start one, read its status, save artifacts and records, fire triggers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from sqlmodel import Session, select

from engine.errors import UnknownArtifact
from service.access import Action, check
from service.catalog import get_catalog
from service.errors import InvalidRequest
from service.instances import fire_trigger, save_artifact, start_cycle, workflow_of
from service.onboarding import start_onboarding
from service.queries import current_revisions, get_instance, history, revisions
from service.status import cycle_status, status_after_fire, team_status
from service.store.models import Person, WorkflowInstance
from service.web.deps import CurrentCaller, Reads, SessionDep, Works, transaction
from service.web.errors import documented
from service.web.presenters import (
    cycle_fields,
    cycle_out,
    event_out,
    revision_out,
    team_status_out,
)
from service.web.schemas import (
    MAX_ID,
    ArtifactOut,
    CycleCreate,
    CycleStatusOut,
    DiagramOut,
    EventOut,
    FireRequest,
    Id,
    RevisionOut,
    TeamStatusOut,
)

router = APIRouter(
    prefix="/api", tags=["cycles"], responses=documented(400, 401, 403, 404, 409, 422)
)
Document = Annotated[dict[str, Any], Body(description="The artifact's fields (see /api/workflows)")]


@router.post(
    "/teams/{team_id}/cycles", status_code=status.HTTP_201_CREATED, response_model=CycleStatusOut
)
def new_cycle(team_id: Id, body: CycleCreate, caller: CurrentCaller, _: Works) -> CycleStatusOut:
    """Start a cycle on a condition, in `why`, with the reason the team chose it."""
    with transaction() as session:
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition=body.condition,
            reason=body.reason,
            actor_id=caller.person_id,
        )
        return cycle_out(cycle_status(session=session, instance_id=cycle.id or 0))


@router.post(
    "/teams/{team_id}/onboarding",
    status_code=status.HTTP_201_CREATED,
    response_model=CycleStatusOut,
)
def new_onboarding(team_id: Id, caller: CurrentCaller, _: Works) -> CycleStatusOut:
    """Start the team's onboarding: overview, self-assessment, then the choice of a condition.

    409 (`already_open`) while the team has an onboarding run open: carry on with that one.
    """
    with transaction() as session:
        run_id = start_onboarding(
            session=session,
            team_id=team_id,
            actor_id=caller.person_id,
            reason="Team started onboarding",
        )
        return cycle_out(cycle_status(session=session, instance_id=run_id))


@router.get("/teams/{team_id}/cycles", response_model=list[CycleStatusOut])
def list_cycles(team_id: Id, session: SessionDep, _: Reads) -> list[CycleStatusOut]:
    """Every cycle and onboarding run of the team, newest first."""
    ids = session.exec(
        select(WorkflowInstance.id)
        .where(WorkflowInstance.team_id == team_id)
        .order_by(WorkflowInstance.id.desc())  # type: ignore[union-attr]
    ).all()
    return [cycle_out(cycle_status(session=session, instance_id=i)) for i in ids]


@router.get("/teams/{team_id}/status", response_model=TeamStatusOut)
def get_team_status(team_id: Id, session: SessionDep, _: Reads) -> TeamStatusOut:
    """The team's active cycle, what it still owes, which triggers are blocked and why."""
    return team_status_out(team_status(session=session, team_id=team_id))


@router.get("/cycles/{cycle_id}", response_model=CycleStatusOut)
def get_cycle(cycle_id: Id, session: SessionDep, _: Reads) -> CycleStatusOut:
    return cycle_out(cycle_status(session=session, instance_id=cycle_id))


class FireOut(CycleStatusOut):
    next_cycle_id: int | None = None


@router.post(
    "/cycles/{cycle_id}/triggers/{trigger}",
    response_model=FireOut,
    responses={404: {"description": "no such trigger"}, 409: {"description": "refused"}},
)
def fire(
    cycle_id: Id,
    trigger: str,
    caller: CurrentCaller,
    scope: Works,
    body: Annotated[FireRequest | None, Body()] = None,
) -> Response:
    """Fire a trigger. 409 lists every unmet gate; `step_back` needs a `reason`."""
    body = body or FireRequest()
    if body.override:
        check(caller, Action.ADMINISTER, scope, "cycle", cycle_id)
    with transaction() as session:
        fired = fire_trigger(
            session=session,
            instance_id=cycle_id,
            trigger=trigger,
            actor_id=caller.person_id,
            reason=body.reason,
            expected_version=body.expected_version,
            override=body.override,
        )
    # Judged after the commit, so SQLite's write lock is not held for it. Validated once,
    # here, and sent as it is: `response_model` would dump it and validate it again.
    answer = FireOut(**cycle_fields(status_after_fire(fired)), next_cycle_id=fired.next_cycle_id)
    return Response(answer.model_dump_json(), media_type="application/json")


def _artifact_kind(session: Session, cycle_id: Id, kind: str, *, repeatable: bool | None) -> None:
    """404 for a kind this cycle's workflow does not hold; 422 for the wrong path to it."""
    instance = get_instance(session=session, instance_id=cycle_id)
    workflow = workflow_of(session, instance, get_catalog())
    if kind not in workflow.artifact_kinds:
        raise UnknownArtifact(kind)
    artifact = workflow.artifacts[kind]
    if repeatable is not None and artifact.spec.repeatable != repeatable:
        where = "records" if artifact.spec.repeatable else "artifacts"
        raise InvalidRequest(f"{kind} lives under /api/cycles/{cycle_id}/{where}/{kind}")


@router.put("/cycles/{cycle_id}/artifacts/{kind}", response_model=ArtifactOut)
def put_artifact(
    cycle_id: Id,
    kind: str,
    data: Document,
    caller: CurrentCaller,
    _: Works,
    expected_version: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> ArtifactOut:
    """Save a new revision (a draft may be incomplete; completeness is reported per field)."""
    with transaction() as session:
        _artifact_kind(session, cycle_id, kind, repeatable=False)
        save_artifact(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            data=data,
            author_id=caller.person_id,
            expected_version=expected_version,
        )
        return _artifact_view(session, cycle_id, kind, iteration=None)


@router.get("/cycles/{cycle_id}/artifacts/{kind}", response_model=ArtifactOut)
def get_artifact(
    cycle_id: Id,
    kind: str,
    session: SessionDep,
    _: Reads,
    iteration: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> ArtifactOut:
    """The current revision in an iteration (the current one by default) and its completeness."""
    return _artifact_view(session, cycle_id, kind, iteration)


def _artifact_view(session: Session, cycle_id: Id, kind: str, iteration: int | None) -> ArtifactOut:
    _artifact_kind(session, cycle_id, kind, repeatable=False)
    instance = get_instance(session=session, instance_id=cycle_id)
    iteration = iteration or instance.iteration
    rows = current_revisions(session=session, instance_id=cycle_id, iteration=iteration, kind=kind)
    current = rows[0] if rows else None
    artifact = workflow_of(session, instance, get_catalog()).artifacts[kind]
    judged = artifact.status(current.body if current else None)
    return ArtifactOut(
        kind=kind,
        iteration=iteration,
        status=judged.status,
        missing_fields=judged.missing_fields,
        current=revision_out(current) if current else None,
    )


@router.get("/cycles/{cycle_id}/artifacts/{kind}/revisions", response_model=list[RevisionOut])
def list_revisions(cycle_id: Id, kind: str, session: SessionDep, _: Reads) -> list[RevisionOut]:
    """Every revision ever saved, across iterations, oldest first."""
    _artifact_kind(session, cycle_id, kind, repeatable=None)
    return [revision_out(r) for r in revisions(session=session, instance_id=cycle_id, kind=kind)]


@router.post(
    "/cycles/{cycle_id}/records/{kind}",
    status_code=status.HTTP_201_CREATED,
    response_model=RevisionOut,
)
def add_record(
    cycle_id: Id, kind: str, data: Document, caller: CurrentCaller, _: Works
) -> RevisionOut:
    """Add a record (such as one `data_collection`) to the current iteration."""
    with transaction() as session:
        _artifact_kind(session, cycle_id, kind, repeatable=True)
        row = save_artifact(
            session=session, instance_id=cycle_id, kind=kind, data=data, author_id=caller.person_id
        )
        return revision_out(row)


@router.put("/cycles/{cycle_id}/records/{kind}/{item}", response_model=RevisionOut)
def revise_record(
    cycle_id: Id,
    kind: str,
    item: Id,
    data: Document,
    caller: CurrentCaller,
    _: Works,
) -> RevisionOut:
    """Save a new revision of one record."""
    with transaction() as session:
        _artifact_kind(session, cycle_id, kind, repeatable=True)
        row = save_artifact(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            data=data,
            author_id=caller.person_id,
            item=item,
        )
        return revision_out(row)


@router.get("/cycles/{cycle_id}/records/{kind}", response_model=list[RevisionOut])
def list_records(
    cycle_id: Id,
    kind: str,
    session: SessionDep,
    _: Reads,
    iteration: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[RevisionOut]:
    """The current revision of every record in an iteration (the current one by default)."""
    _artifact_kind(session, cycle_id, kind, repeatable=True)
    instance = get_instance(session=session, instance_id=cycle_id)
    rows = current_revisions(
        session=session, instance_id=cycle_id, iteration=iteration or instance.iteration, kind=kind
    )
    return [revision_out(r) for r in rows]


@router.get("/cycles/{cycle_id}/history", response_model=list[EventOut])
def get_history(cycle_id: Id, session: SessionDep, _: Reads) -> list[EventOut]:
    """Every transition, oldest first."""
    events = history(session=session, instance_id=cycle_id)
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(session.exec(select(Person.id, Person.name).where(Person.id.in_(actor_ids))).all())  # type: ignore[union-attr]
    return [event_out(e, names) for e in events]


@router.get("/cycles/{cycle_id}/diagram", response_model=DiagramOut)
def get_cycle_diagram(cycle_id: Id, session: SessionDep, _: Reads) -> DiagramOut:
    """The pinned definition's diagram (Mermaid), with the current state highlighted."""
    instance = get_instance(session=session, instance_id=cycle_id)
    workflow = workflow_of(session, instance, get_catalog())
    return DiagramOut(
        workflow=workflow.name,
        version=workflow.definition.version,
        highlight=instance.state,
        mermaid=workflow.mermaid(instance.state),
    )
