"""Server-rendered pages: sign-in, teams, a team's cycle, coaching, and a program's pages."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.pages import (
    calendar_link,
    checkin_forms,
    coach,
    cycle_forms,
    feedback_forms,
    home,
    past_cycle,
    program,
    program_settings,
    self_assessment_form,
    session,
    sharing_pages,
    survey_pages,
    survey_upload,
    team,
)

AREAS = (
    session.router,
    home.router,
    team.router,
    self_assessment_form.router,
    cycle_forms.router,
    checkin_forms.router,
    feedback_forms.router,
    sharing_pages.router,
    past_cycle.router,
    calendar_link.router,
    coach.router,
    program.router,
    program_settings.router,
    survey_pages.router,
    survey_upload.router,
)
"""One router per area of the pages, each made of PageRoutes."""

router = APIRouter(include_in_schema=False)
for area in AREAS:
    router.include_router(area)
