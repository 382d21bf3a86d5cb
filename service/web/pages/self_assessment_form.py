"""Saving the team's self-assessment from its team page, where the team chooses a condition."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from engine.errors import ArtifactInvalid
from service.catalog import get_catalog
from service.onboarding import SELF_ASSESSMENT, save_self_assessment
from service.web.deps import transaction
from service.web.pages.artifact_forms import read_form
from service.web.pages.choose_view import AssessmentDraft
from service.web.pages.cycle_forms import NOT_SAVED
from service.web.pages.deps import CsrfChecked, PageCaller, PageWorks, SubmittedForm
from service.web.pages.flash import Flash, redirect_with_flash
from service.web.pages.routing import PageRoute
from service.web.pages.team import team_page_again, team_path

router = APIRouter(route_class=PageRoute)

TARGET = "self-assessment"


@router.post("/teams/{team_id}/self-assessment")
def save_self_assessment_form(
    team_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    form: SubmittedForm,
) -> Response:
    """Save a new revision of the self-assessment (a draft may rate only some conditions)."""
    data = read_form(get_catalog().content.artifacts[SELF_ASSESSMENT], form)
    try:
        with transaction() as session:
            save_self_assessment(
                session=session, team_id=team_id, data=data, author_id=caller.person_id
            )
    except ArtifactInvalid as exc:
        draft = AssessmentDraft(data, {e.path: e.message for e in exc.errors}, NOT_SAVED)
        return team_page_again(
            request, caller, team_id, can_work=True, status_code=422, assessment=draft
        )
    done = Flash("done", "Saved the self-assessment.", target=TARGET)
    return redirect_with_flash(f"{team_path(team_id)}#{TARGET}", done)
