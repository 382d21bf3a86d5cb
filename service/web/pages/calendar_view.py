"""The team page's calendar section: the button that makes a personal feed link, and the link."""

from __future__ import annotations

from dataclasses import dataclass


def calendar_link_path(team_id: int) -> str:
    return f"/teams/{team_id}/calendar-link"


@dataclass(frozen=True)
class CalendarPanel:
    action: str
    url: str | None = None
    """The feed's full address with a new token in it, on the page that made it only."""


def calendar_panel(team_id: int, url: str | None = None) -> CalendarPanel:
    return CalendarPanel(action=calendar_link_path(team_id), url=url)
