"""Refusals raised by the service layer (the engine's own live in engine.errors)."""

from __future__ import annotations

from engine.errors import EngineError, TransitionRefused


class NotFound(EngineError):
    """The thing asked for does not exist (or the caller may not know it does)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key


class InvalidRequest(EngineError):
    """A request that names something the engine does not know, such as a condition."""


class CycleAlreadyOpen(TransitionRefused):
    """A team works one condition at a time."""

    def __init__(self, team_id: int, cycle_id: int, condition: str | None) -> None:
        super().__init__(
            f"team {team_id} already has an open cycle ({cycle_id}, on {condition}); "
            "finish it or move on before starting another"
        )
        self.cycle_id = cycle_id


class OnboardingAlreadyOpen(TransitionRefused):
    """A team runs one onboarding at a time; its open run is the one to carry on."""

    def __init__(self, team_id: int, run_id: int, state: str) -> None:
        super().__init__(
            f"team {team_id} already has an onboarding run open ({run_id}, at {state}); "
            "carry on with it rather than starting another"
        )
        self.run_id = run_id
