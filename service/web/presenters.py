"""Turning service results into API bodies, in one place so pages and API agree."""

from __future__ import annotations

from typing import Any

from engine.artifacts import ArtifactStatus
from service.status import CycleStatus, TeamStatus
from service.store.models import ArtifactRevision, HistoryEvent
from service.web.schemas import (
    CycleStatusOut,
    EventOut,
    PhaseOut,
    RequiredArtifactOut,
    RevisionOut,
    TeamStatusOut,
    TriggerOut,
    UnmetOut,
)


def required_out(status: ArtifactStatus) -> RequiredArtifactOut:
    return RequiredArtifactOut(
        kind=status.kind,
        status=status.status,
        missing_fields=status.missing_fields,
        problems=[f"{gap.field}: {gap.problem}" for gap in status.missing],
    )


def cycle_out(status: CycleStatus) -> CycleStatusOut:
    return CycleStatusOut(**cycle_fields(status))


def cycle_fields(status: CycleStatus) -> dict[str, Any]:
    """A cycle status's fields, for CycleStatusOut or a response that extends it."""
    instance, view = status.instance, status.view
    assert instance.id is not None
    return dict(
        id=instance.id,
        cycle_id=instance.id,
        workflow=instance.workflow,
        condition=instance.condition,
        state=view.state,
        iteration=view.iteration,
        version=instance.version,
        title=view.title,
        goal=view.goal,
        final=view.final,
        entered_at=instance.entered_at,
        days_in_state=status.days_in_state,
        launched_on=instance.launched_on,
        required_artifacts=[required_out(r) for r in view.required],
        triggers=[
            TriggerOut(
                name=t.name,
                dest=t.dest,
                allowed=t.allowed,
                available=t.available,
                needs_reason=t.needs_reason,
                unmet=[UnmetOut(gate=u.gate, reason=u.reason) for u in t.unmet],
            )
            for t in view.triggers
        ],
    )


def team_status_out(status: TeamStatus) -> TeamStatusOut:
    cycle = cycle_out(status.cycle) if status.cycle is not None else None
    assert status.team.id is not None
    return TeamStatusOut(
        team_id=status.team.id,
        team=status.team.name,
        program_phase=PhaseOut(state=status.phase.state, title=status.phase.title)
        if status.phase
        else None,
        cycle=cycle,
        cycle_id=cycle.cycle_id if cycle else None,
        condition=cycle.condition if cycle else None,
        state=cycle.state if cycle else None,
        iteration=cycle.iteration if cycle else None,
        title=cycle.title if cycle else None,
        goal=cycle.goal if cycle else None,
        entered_at=cycle.entered_at if cycle else None,
        days_in_state=cycle.days_in_state if cycle else None,
        required_artifacts=cycle.required_artifacts if cycle else [],
        triggers=cycle.triggers if cycle else [],
    )


def revision_out(row: ArtifactRevision) -> RevisionOut:
    return RevisionOut(
        kind=row.kind,
        iteration=row.iteration,
        item=row.item,
        revision=row.revision,
        body=row.body,
        author_id=row.author_id,
        created_at=row.created_at,
    )


def event_out(row: HistoryEvent, names: dict[int, str]) -> EventOut:
    return EventOut(
        seq=row.seq,
        at=row.at,
        actor=names.get(row.actor_id) if row.actor_id is not None else None,
        actor_id=row.actor_id,
        trigger=row.trigger,
        from_state=row.from_state,
        to_state=row.to_state,
        iteration=row.iteration,
        reason=row.reason,
        details=row.details,
    )
