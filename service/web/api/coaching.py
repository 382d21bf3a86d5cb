"""A coach's caseload, the stage board, and check-ins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from service.access import Action
from service.caseload import (
    CYCLE_STATES,
    SORTS,
    CaseloadFilters,
    caseload_page,
    coach_teams,
    stage_board_teams,
)
from service.catalog import get_catalog
from service.checkins import log_checkin, team_checkins
from service.store.models import CheckIn, utcnow
from service.web.deps import CurrentCaller, Reads, SessionDep, require, transaction
from service.web.errors import documented
from service.web.schemas import (
    CaseloadOut,
    CaseloadRowOut,
    CheckInCreate,
    CheckInOut,
    Id,
    StageBoardOut,
    StageCellOut,
)

CaseloadSort = Literal[SORTS]  # type: ignore[valid-type]

router = APIRouter(prefix="/api", tags=["coaching"], responses=documented(400, 401, 403, 404, 422))
ChecksIn = Annotated[object, Depends(require(Action.CHECK_IN))]


@router.get("/coach/caseload", response_model=CaseloadOut)
def get_caseload(
    session: SessionDep,
    caller: CurrentCaller,
    flag: Literal["stalled", "overdue", "checkin_due"] | None = None,
    condition: str | None = None,
    state: str | None = None,
    phase: str | None = None,
    sort: Annotated[
        CaseloadSort | None, Query(description="a column to sort by; worst first when absent")
    ] = None,
    direction: Annotated[Literal["asc", "desc"], Query(alias="dir")] = "asc",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CaseloadOut:
    """One page of the signed-in coach's caseload, worst first, filterable and sortable.

    `total` counts the teams that pass the filters; `limit` and `offset` choose the page.
    Ties in a sorted column keep the worst-first order.
    """
    page = caseload_page(
        session=session,
        team_ids=coach_teams(caller.person_id),
        today=utcnow().date(),
        filters=CaseloadFilters(flag, condition, state, phase),
        sort=sort,
        descending=direction == "desc",
        limit=limit,
        offset=offset,
    )
    return CaseloadOut(
        total=page.total,
        limit=limit,
        offset=offset,
        rows=[CaseloadRowOut.model_validate(r, from_attributes=True) for r in page.rows],
    )


@router.get("/coach/stage-board", response_model=StageBoardOut)
def get_stage_board(session: SessionDep, caller: CurrentCaller) -> StageBoardOut:
    """Teams on the caseload per condition and state."""
    board = stage_board_teams(session=session, team_ids=coach_teams(caller.person_id))
    conditions = get_catalog().content.condition_slugs
    return StageBoardOut(
        conditions=conditions,
        states=list(CYCLE_STATES),
        cells=[
            StageCellOut(condition=c, state=s, count=len(ids), team_ids=ids)
            for (c, s), ids in sorted(board.items())
        ],
    )


def _checkin_out(checkin: CheckIn) -> CheckInOut:
    return CheckInOut(
        id=checkin.id or 0,
        team_id=checkin.team_id,
        author_id=checkin.author_id,
        date=checkin.held_on,
        mode=checkin.mode,
        notes=checkin.notes,
        next_steps=checkin.next_steps,
        attendees=checkin.attendees,
        created_at=checkin.created_at,
    )


@router.post(
    "/teams/{team_id}/checkins", status_code=status.HTTP_201_CREATED, response_model=CheckInOut
)
def new_checkin(team_id: Id, body: CheckInCreate, caller: CurrentCaller, _: ChecksIn) -> CheckInOut:
    """Log a check-in or site visit (the team's coaches and program admins)."""
    with transaction() as session:
        checkin = log_checkin(
            session=session,
            team_id=team_id,
            author_id=caller.person_id,
            held_on=body.date,
            mode=body.mode,
            notes=body.notes,
            next_steps=body.next_steps,
            attendees=body.attendees,
        )
        return _checkin_out(checkin)


@router.get("/teams/{team_id}/checkins", response_model=list[CheckInOut])
def list_checkins(team_id: Id, session: SessionDep, _: Reads) -> list[CheckInOut]:
    """The team's check-ins and their next steps, newest first."""
    return [_checkin_out(c) for c in team_checkins(session=session, team_id=team_id)]
