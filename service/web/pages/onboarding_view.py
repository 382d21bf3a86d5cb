"""A new team's first steps on its page: the offer to start onboarding, then each of its stages.

Onboarding is for a team that has never had a cycle. Its overview and self-assessment stages
show as a cycle's stages do (guide, documents, next steps); at its last stage the choice of a
condition takes over, and choosing ends the run and starts the cycle. A team may also skip
it and choose at once: the choice is always on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from service.onboarding import CHOOSING, SELF_ASSESSMENT, latest_onboarding
from service.status import cycle_status
from service.web.pages.cycle_view import CyclePage, Draft, cycle_page
from service.web.pages.flash import Flash


def onboarding_path(team_id: int) -> str:
    return f"/teams/{team_id}/onboarding"


@dataclass(frozen=True)
class OnboardingPanel:
    start_action: str | None
    """Where to start a run: offered to those who work on a team with neither run nor cycle."""
    stage: CyclePage | None
    """The run's current stage, before the choice."""

    @property
    def rates_here(self) -> bool:
        """The stage holds the self-assessment form, so the choice need not repeat it."""
        return self.stage is not None and self.stage.state == SELF_ASSESSMENT


def onboarding_panel(
    *,
    session: Session,
    team_id: int,
    can_work: bool,
    draft: Draft | None = None,
    flash: Flash | None = None,
) -> OnboardingPanel | None:
    """What the page shows of onboarding for a team that has never had a cycle."""
    run = latest_onboarding(session=session, team_id=team_id)
    if run is None:
        return OnboardingPanel(onboarding_path(team_id), None) if can_work else None
    if run.finished or run.state == CHOOSING:
        return None
    status = cycle_status(session=session, instance_id=run.instance_id)
    stage = cycle_page(session=session, status=status, can_work=can_work, draft=draft, flash=flash)
    return OnboardingPanel(None, stage)
