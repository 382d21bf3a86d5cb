"""One exception type per kind of refusal, so callers map each once."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class DefinitionError(EngineError):
    """A workflow definition that cannot be used, naming its file and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class ContentError(EngineError):
    """A content pack file that does not match its schema."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a submitted document."""

    path: str
    message: str


class ArtifactInvalid(EngineError):
    """A submitted artifact whose fields have the wrong shape or type."""

    def __init__(self, kind: str, errors: list[FieldError]) -> None:
        listed = "; ".join(f"{e.path}: {e.message}" for e in errors)
        super().__init__(f"{kind} is not valid: {listed}")
        self.kind = kind
        self.errors = errors


class UnknownArtifact(EngineError):
    """An artifact kind this workflow does not know."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"there is no artifact kind named {kind!r}")
        self.kind = kind


class UnknownTrigger(EngineError):
    """A trigger name the workflow does not define at all."""

    def __init__(self, trigger: str, workflow: str) -> None:
        super().__init__(f"workflow {workflow!r} has no trigger named {trigger!r}")
        self.trigger = trigger


class TransitionRefused(EngineError):
    """Base of refusals that leave the instance as it was (HTTP 409)."""


@dataclass(frozen=True)
class Unmet:
    """A gate that does not hold, with what a person can do about it."""

    gate: str
    reason: str


class GatesUnmet(TransitionRefused):
    """The trigger exists here, but one or more of its gates do not hold."""

    def __init__(self, trigger: str, unmet: list[Unmet]) -> None:
        reasons = "; ".join(u.reason for u in unmet)
        super().__init__(f"{trigger} is blocked: {reasons}")
        self.trigger = trigger
        self.unmet = unmet


class TriggerNotAvailable(TransitionRefused):
    """The trigger exists, but not from the current state."""

    def __init__(self, trigger: str, state: str) -> None:
        super().__init__(f"{trigger} cannot be fired from state {state!r}")
        self.trigger = trigger
        self.state = state


class ConcurrentChange(TransitionRefused):
    """The instance changed after the caller read it; nothing was written."""

    def __init__(self, expected_version: int, actual_version: int) -> None:
        super().__init__(
            f"the cycle changed meanwhile: you had version {expected_version}, "
            f"it is now at version {actual_version}; reload and try again"
        )
        self.expected_version = expected_version
        self.actual_version = actual_version


class InstanceClosed(TransitionRefused):
    """The instance has reached a final state and accepts no more work."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the cycle is {state} and can no longer change")
        self.state = state


class MigrationRefused(EngineError):
    """A version migration that would leave an instance in a state with no mapping."""
