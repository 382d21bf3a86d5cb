"""What the team page shows about a cycle: stage, artifacts, triggers, history and diagram."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from engine.artifacts import ArtifactStatus
from engine.content import ArtifactSpec
from engine.workflow import TriggerStatus, Workflow
from service.catalog import get_catalog
from service.instances import workflow_of
from service.queries import current_revisions, history
from service.status import CycleStatus
from service.store.models import ArtifactRevision, Person
from service.web.diagram_svg import state_diagram_svg, state_label
from service.web.pages.artifact_display import ShownField, shown_fields
from service.web.pages.artifact_forms import ArtifactForm, build_form, describe_gap, humanise
from service.web.pages.flash import Flash

REASON_GATE = "reason_given"
"""The gate a written reason meets; the reason comes with the click, so it never blocks one."""


@dataclass(frozen=True)
class Draft:
    """A form the server refused, shown again with the person's input and the problems."""

    kind: str
    data: Mapping[str, Any]
    errors: Mapping[str, str] = field(default_factory=dict)
    message: str | None = None
    item: int | None = None
    """The record a refused revision was for; None for a document or a new record."""


@dataclass(frozen=True)
class Saved:
    revision: int
    at: dt.datetime
    author: str | None


@dataclass(frozen=True)
class Record:
    item: int
    shown: tuple[ShownField, ...]
    saved: Saved
    form: ArtifactForm | None = None
    """The form that revises this record, for those who work on the cycle."""
    open: bool = False


@dataclass(frozen=True)
class ArtifactPanel:
    """One artifact the stage requires: its status, contents and (for members) its form."""

    kind: str
    title: str
    purpose: str
    status: str
    gaps: tuple[str, ...]
    repeatable: bool
    shown: tuple[ShownField, ...]
    saved: Saved | None
    records: tuple[Record, ...]
    form: ArtifactForm | None
    open: bool


@dataclass(frozen=True)
class TriggerButton:
    name: str
    label: str
    dest: str
    enabled: bool
    blocked_by: tuple[str, ...]
    needs_reason: bool
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str | None
    what: str
    from_state: str | None
    to_state: str
    iteration: int
    reason: str | None


@dataclass(frozen=True)
class CyclePage:
    cycle_id: int
    version: int
    condition_title: str
    state: str
    title: str
    goal: str
    final: bool
    iteration: int
    days_in_state: int
    launched_on: dt.date | None
    big_questions: tuple[str, ...]
    tasks: tuple[str, ...]
    artifacts: tuple[ArtifactPanel, ...]
    triggers: tuple[TriggerButton, ...]
    history: tuple[HistoryEntry, ...]
    diagram: Markup


def trigger_label(trigger: str, dest: str) -> str:
    if trigger == "step_back":
        return f"Step back to {state_label(dest).lower()}"
    return humanise(trigger)


def condition_titles() -> dict[str, str]:
    """Each condition's slug and title, in playbook order."""
    content = get_catalog().content
    return {slug: content.conditions[slug].title for slug in content.condition_slugs}


def _names(session: Session, person_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all()
    return {person_id: name for person_id, name in rows if person_id is not None}


def _saved(row: ArtifactRevision, names: Mapping[int, str]) -> Saved:
    author = names.get(row.author_id) if row.author_id is not None else None
    return Saved(row.revision, row.created_at, author)


def _record(
    spec: ArtifactSpec,
    cycle_id: int,
    row: ArtifactRevision,
    names: Mapping[int, str],
    can_work: bool,
    refused: Draft | None,
    conditions: Mapping[str, str],
) -> Record:
    """One record as saved, with the form that revises it (holding a refused revision's input)."""
    mine = refused if refused is not None and refused.item == row.item else None
    form = (
        build_form(
            spec=spec,
            action=f"/cycles/{cycle_id}/records/{row.kind}/{row.item}",
            id_prefix=f"{row.kind}-{row.item}",
            data=mine.data if mine else row.body,
            conditions=conditions,
            errors=mine.errors if mine else None,
            message=mine.message if mine else None,
        )
        if can_work
        else None
    )
    saved = _saved(row, names)
    return Record(row.item, shown_fields(spec, row.body, conditions), saved, form, mine is not None)


def _panel(
    *,
    workflow: Workflow,
    cycle_id: int,
    judged: ArtifactStatus,
    rows: list[ArtifactRevision],
    names: Mapping[int, str],
    can_work: bool,
    draft: Draft | None,
) -> ArtifactPanel:
    kind = judged.kind
    spec = workflow.artifacts[kind].spec
    conditions = condition_titles()
    current = rows[-1] if rows and not spec.repeatable else None
    refused = draft if draft is not None and draft.kind == kind else None
    mine = refused if refused is not None and refused.item is None else None
    form = None
    if can_work:
        where = "records" if spec.repeatable else "artifacts"
        form = build_form(
            spec=spec,
            action=f"/cycles/{cycle_id}/{where}/{kind}",
            id_prefix=kind,
            data=mine.data if mine else (current.body if current else None),
            conditions=conditions,
            errors=mine.errors if mine else None,
            message=mine.message if mine else None,
        )
    return ArtifactPanel(
        kind=kind,
        title=spec.title,
        purpose=spec.purpose,
        status=judged.status,
        gaps=tuple(describe_gap(spec, gap.field, gap.problem) for gap in judged.missing),
        repeatable=spec.repeatable,
        shown=shown_fields(spec, current.body, conditions) if current else (),
        saved=_saved(current, names) if current else None,
        records=tuple(
            _record(spec, cycle_id, row, names, can_work, refused, conditions) for row in rows
        )
        if spec.repeatable
        else (),
        form=form,
        open=mine is not None or judged.status != "complete",
    )


def _button(status: TriggerStatus, flash: Flash | None) -> TriggerButton:
    blocked_by = tuple(u.reason for u in status.unmet if u.gate != REASON_GATE)
    refused = flash.reasons if flash and flash.target == f"trigger:{status.name}" else ()
    return TriggerButton(
        name=status.name,
        label=trigger_label(status.name, status.dest),
        dest=status.dest,
        enabled=not blocked_by,
        blocked_by=blocked_by,
        needs_reason=status.needs_reason,
        refused=refused,
    )


def cycle_page(
    *,
    session: Session,
    status: CycleStatus,
    can_work: bool,
    draft: Draft | None = None,
    flash: Flash | None = None,
) -> CyclePage:
    """Everything the team page shows about one cycle, read in a handful of queries."""
    instance, view = status.instance, status.view
    assert instance.id is not None
    catalog = get_catalog()
    workflow = workflow_of(session, instance, catalog)
    revisions = current_revisions(
        session=session, instance_id=instance.id, iteration=instance.iteration
    )
    events = history(session=session, instance_id=instance.id)
    names = _names(session, [r.author_id for r in revisions] + [e.actor_id for e in events])
    content = catalog.content
    onboarding = instance.kind == "onboarding"
    # A team's onboarding run shows on its page as a cycle does, from the onboarding's guide.
    guide = content.onboarding if onboarding else content.conditions[instance.condition or ""]
    stage = guide.stages.get(view.state)  # type: ignore[call-overload, attr-defined]
    definition = workflow.definition
    return CyclePage(
        cycle_id=instance.id,
        version=instance.version,
        condition_title=guide.title,
        state=view.state,
        title=view.title,
        goal=view.goal,
        final=view.final,
        iteration=view.iteration,
        days_in_state=status.days_in_state,
        launched_on=instance.launched_on,
        big_questions=tuple(stage.big_questions) if stage else (),
        tasks=tuple(stage.tasks) if stage else (),
        artifacts=tuple(
            _panel(
                workflow=workflow,
                cycle_id=instance.id,
                judged=judged,
                rows=[r for r in revisions if r.kind == judged.kind],
                names=names,
                can_work=can_work and not view.final,
                draft=draft,
            )
            for judged in view.required
        ),
        triggers=tuple(_button(t, flash) for t in view.available_triggers),
        history=tuple(
            HistoryEntry(
                at=e.at,
                actor=names.get(e.actor_id) if e.actor_id is not None else None,
                what="Started" if e.trigger == "start" else trigger_label(e.trigger, e.to_state),
                from_state=e.from_state,
                to_state=e.to_state,
                iteration=e.iteration,
                reason=e.reason,
            )
            for e in events
        ),
        diagram=state_diagram_svg(
            title=definition.title if onboarding else f"{definition.title} cycle",
            states=[s.name for s in definition.states],
            transitions=[(t.trigger, t.source, t.dest) for t in definition.transitions],
            current=instance.state,
        ),
    )
