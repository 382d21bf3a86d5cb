"""The team page's calendar section: the button that makes a personal feed link, the link,
and the button that turns off the caller's links."""

from __future__ import annotations

from dataclasses import dataclass


def calendar_link_path(team_id: int) -> str:
    return f"/teams/{team_id}/calendar-link"


def revoke_links_path(team_id: int) -> str:
    return f"/teams/{team_id}/calendar-link/revoke"


@dataclass(frozen=True)
class CalendarPanel:
    action: str
    revoke_action: str
    live_links: int
    """How many of the caller's calendar links still open a feed (any team's)."""
    url: str | None = None
    """The feed's full address with a new token in it, on the page that made it only."""


def calendar_panel(team_id: int, live_links: int, url: str | None = None) -> CalendarPanel:
    return CalendarPanel(
        action=calendar_link_path(team_id),
        revoke_action=revoke_links_path(team_id),
        live_links=live_links,
        url=url,
    )
