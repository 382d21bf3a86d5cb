"""Server-rendered pages: sign-in, the teams a person can open, a team's cycle, and coaching."""

from __future__ import annotations

from fastapi import APIRouter

from service.web.pages import checkin_forms, coach, cycle_forms, home, session, team

AREAS = (
    session.router,
    home.router,
    team.router,
    cycle_forms.router,
    checkin_forms.router,
    coach.router,
)
"""One router per area of the pages, each made of PageRoutes."""

router = APIRouter(include_in_schema=False)
for area in AREAS:
    router.include_router(area)
