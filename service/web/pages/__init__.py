"""Server-rendered pages: sign-in, teams, a team's cycle, coaching, and a program's pages."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.pages import checkin_forms, coach, cycle_forms, home, program, session, team

AREAS = (
    session.router,
    home.router,
    team.router,
    cycle_forms.router,
    checkin_forms.router,
    coach.router,
    program.router,
)
"""One router per area of the pages, each made of PageRoutes."""

router = APIRouter(include_in_schema=False)
for area in AREAS:
    router.include_router(area)
