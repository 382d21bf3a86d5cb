"""Making a personal calendar link to a team's feed from the team page, and turning links off.

The link holds a token that reads the feed for a year, so it is as secret as a password.
The answer to the POST is the team page itself with the link on it, not a redirect: a
redirect would have to carry the token through a cookie, and a GET would have to put it
in an address the browser keeps in its history. Reloading asks before posting again, and
posting again only makes another link.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.access import Action, allowed
from service.calendar_feed import issue_calendar_token, revoke_calendar_links
from service.web.deps import transaction
from service.web.pages.deps import CsrfChecked, PageCaller, PageReads
from service.web.pages.flash import Flash
from service.web.pages.routing import PageRoute
from service.web.pages.team import team_page_again

router = APIRouter(route_class=PageRoute)

FEED_ROUTE = "team_calendar_feed"
"""The API route that serves the feed (service.web.api.calendar)."""


@router.post("/teams/{team_id}/calendar-link")
def make_calendar_link(
    team_id: int, request: Request, caller: PageCaller, _csrf: CsrfChecked, scope: PageReads
) -> Response:
    """A new link to the team's feed, for anyone who may read the team."""
    with transaction() as session:
        token = issue_calendar_token(session=session, person_id=caller.person_id)
    url = str(request.url_for(FEED_ROUTE, team_id=team_id).include_query_params(token=token))
    made = Flash("done", "Made a calendar link: copy it below.", "calendar")
    can_work = allowed(caller, Action.WORK, scope)
    return team_page_again(
        request, caller, team_id, can_work=can_work, flash=made, calendar_url=url
    )


@router.post("/teams/{team_id}/calendar-link/revoke")
def revoke_calendar_link(
    team_id: int, request: Request, caller: PageCaller, _csrf: CsrfChecked, scope: PageReads
) -> Response:
    """Turn off every calendar link the caller has made, for this team and any other."""
    with transaction() as session:
        count = revoke_calendar_links(session=session, person_id=caller.person_id)
    links = "calendar link" if count == 1 else "calendar links"
    message = f"Turned off {count} {links}: calendars subscribed to them stop updating."
    done = Flash("done", message, "calendar")
    can_work = allowed(caller, Action.WORK, scope)
    return team_page_again(request, caller, team_id, can_work=can_work, flash=done)
