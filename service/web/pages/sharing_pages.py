"""Shared learning: a team shares a finished cycle; everyone in the program reads them.

Sharing and taking back end in a redirect to the page showing the cycle (POST, redirect, GET):
the team page for its active cycle, the cycle's own page for an earlier one; a refusal (no
finished pass yet) comes back with its reason beside the sharing section.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from engine.errors import TransitionRefused
from service.access import Action, Scope
from service.errors import InvalidRequest, NotFound
from service.sharing import share_cycle, shared_cycles, unshare_cycle
from service.store.models import Program
from service.web.deps import SessionDep, transaction
from service.web.pages.deps import CsrfChecked, PageCaller, PageWorks, page_access
from service.web.pages.flash import Flash, redirect_with_flash
from service.web.pages.past_cycle import page_showing
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.sharing_view import (
    PAGE_SIZE,
    SHARING_TARGET,
    listing_context,
    parse_listing,
)
from service.web.pages.team import as_sentence

router = APIRouter(route_class=PageRoute)

PageBrowses = Annotated[Scope, Depends(page_access(Action.BROWSE))]


def _back(cycle_id: int, flash: Flash) -> Response:
    return redirect_with_flash(f"{page_showing(cycle_id)}#{SHARING_TARGET}", flash)


@router.post("/cycles/{cycle_id}/share")
def share_form(cycle_id: int, caller: PageCaller, _csrf: CsrfChecked, _: PageWorks) -> Response:
    """Share the cycle's latest finished pass with the other teams of the program."""
    try:
        with transaction() as session:
            share_cycle(session=session, instance_id=cycle_id, shared_by=caller.person_id)
    except (InvalidRequest, TransitionRefused) as exc:
        refused = Flash(
            "refused", "The cycle was not shared.", SHARING_TARGET, (as_sentence(str(exc)),)
        )
        return _back(cycle_id, refused)
    done = "Shared: the other teams of the program can now read what this cycle taught you."
    return _back(cycle_id, Flash("done", done, SHARING_TARGET))


@router.post("/cycles/{cycle_id}/unshare")
def unshare_form(cycle_id: int, _csrf: CsrfChecked, _: PageWorks) -> Response:
    """Take the cycle back out of the program's shared learning."""
    try:
        with transaction() as session:
            unshare_cycle(session=session, instance_id=cycle_id)
    except NotFound:
        reason = "It was not shared (perhaps someone stopped sharing it meanwhile)."
        refused = Flash("refused", "Nothing to stop sharing.", SHARING_TARGET, (reason,))
        return _back(cycle_id, refused)
    done = "Stopped sharing: other teams no longer see this cycle."
    return _back(cycle_id, Flash("done", done, SHARING_TARGET))


@router.get("/programs/{program_id}/shared", name="shared_learning")
def show_shared(
    program_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageBrowses
) -> Response:
    """The cycles the program's teams have shared, newest first, a page at a time."""
    program = session.get(Program, program_id)
    if program is None:  # authorisation has found it; this is a program deleted meanwhile
        raise not_found("program")
    condition, page = parse_listing(request.query_params)
    found = shared_cycles(
        session=session,
        program_id=program_id,
        condition=condition,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = listing_context(program_id=program_id, found=found, condition=condition, page=page)
    return render(
        request, "shared.html", {"caller": caller, "program": program, "page": page, **context}
    )
