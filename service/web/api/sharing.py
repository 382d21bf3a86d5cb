"""Shared learning: a team shares a finished cycle; the teams of its program browse them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from service.access import Action, Scope
from service.sharing import SharedCycleRow, share_cycle, shared_cycles, unshare_cycle
from service.web.deps import CurrentCaller, SessionDep, Works, require, transaction
from service.web.errors import documented
from service.web.schemas import Id

router = APIRouter(
    prefix="/api", tags=["sharing"], responses=documented(400, 401, 403, 404, 409, 422)
)
Browses = Annotated[Scope, Depends(require(Action.BROWSE))]


class SharedCycleOut(BaseModel):
    cycle_id: int
    team_id: int
    team: str
    school: str
    condition: str | None
    shared_at: dt.datetime
    shared_by: str
    iteration: int
    theory_of_action: dict[str, Any] | None
    impact_assessment: dict[str, Any] | None
    decision: dict[str, Any] | None


class SharedCyclesOut(BaseModel):
    total: int
    limit: int
    offset: int
    rows: list[SharedCycleOut]


def _out(row: SharedCycleRow) -> SharedCycleOut:
    return SharedCycleOut.model_validate(dataclasses.asdict(row))


@router.post(
    "/cycles/{cycle_id}/share",
    status_code=status.HTTP_201_CREATED,
    response_model=SharedCycleOut,
    responses={
        409: {"description": "already shared"},
        422: {"description": "no finished pass yet, or not a condition cycle"},
    },
)
def share(cycle_id: Id, caller: CurrentCaller, _: Works) -> SharedCycleOut:
    """Share the cycle's latest finished pass (concluded review, recorded decision)."""
    with transaction() as session:
        row = share_cycle(session=session, instance_id=cycle_id, shared_by=caller.person_id)
    return _out(row)


@router.delete(
    "/cycles/{cycle_id}/share",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "the cycle is not shared"}},
)
def unshare(cycle_id: Id, _: Works) -> None:
    """Take the cycle back out of the program's shared learning."""
    with transaction() as session:
        unshare_cycle(session=session, instance_id=cycle_id)


@router.get("/programs/{program_id}/shared", response_model=SharedCyclesOut)
def list_shared(
    program_id: Id,
    session: SessionDep,
    _: Browses,
    condition: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SharedCyclesOut:
    """Cycles the program's teams have shared, newest first, with their latest finished pass.

    Each row holds that pass's theory of action, impact assessment and decision.
    """
    page = shared_cycles(
        session=session, program_id=program_id, condition=condition, limit=limit, offset=offset
    )
    return SharedCyclesOut(
        total=page.total, limit=limit, offset=offset, rows=[_out(r) for r in page.rows]
    )
