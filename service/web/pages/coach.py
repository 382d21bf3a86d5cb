"""A coach's pages: their caseload, worst first, and the stage board of where teams bunch up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.access import Caller
from service.caseload import CaseloadPage, caseload_page, coach_teams, stage_board
from service.web.deps import SessionDep
from service.web.pages.caseload_query import CASELOAD, CaseloadQuery, parse_query
from service.web.pages.caseload_view import caseload_context
from service.web.pages.checkin_view import today
from service.web.pages.deps import PageCaller
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute
from service.web.pages.stage_board_view import stage_board_context

router = APIRouter(route_class=PageRoute)
STAGE_BOARD = "/coach/stage-board"


def _caseload(session: Session, caller: Caller, query: CaseloadQuery) -> CaseloadPage:
    """The page asked for of the teams the caller coaches (none for someone who coaches none)."""
    return caseload_page(
        session=session,
        team_ids=coach_teams(caller.person_id),
        today=today(),
        filters=query.filters,
        sort=query.sort,
        descending=query.descending,
        limit=query.limit,
        offset=query.offset,
    )


@router.get(CASELOAD, name="caseload")
def show_caseload(request: Request, session: SessionDep, caller: PageCaller) -> Response:
    """One row per team, worst first; filtered, sorted and paged by the query string."""
    query = parse_query(request.query_params)
    context = caseload_context(_caseload(session, caller, query), query)
    return render(request, "caseload.html", {"caller": caller, **context})


@router.get(STAGE_BOARD, name="stage_board")
def show_stage_board(request: Request, session: SessionDep, caller: PageCaller) -> Response:
    """Teams per condition and stage, shaded by how many sit there."""
    board = stage_board(session=session, team_ids=coach_teams(caller.person_id))
    context = stage_board_context(board)
    return render(request, "stage_board.html", {"caller": caller, **context})
