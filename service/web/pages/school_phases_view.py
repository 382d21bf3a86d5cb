"""What the program's schools page shows: each school against its calendar, and its next step.

The step's gates are the engine's: the page asks it what blocks each school's next phase,
and the history of overrides is read from the events the engine wrote (their `overridden`
details name the gates that were passed over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from engine.facts import Facts, InstanceState
from engine.workflow import StageView
from service.catalog import get_catalog
from service.enrolment import SchoolPhase, school_phases_page
from service.queries import (
    current_documents,
    phase_instances,
    schools_progress,
    split_documents,
)
from service.store.models import HistoryEvent, Person, School, StoredDefinition, WorkflowInstance
from service.web.pages.caseload_query import phase_titles
from service.web.pages.flash import Flash
from service.web.pages.paging import PAGE_SIZE, paging, parse_window, window_params
from service.web.pages.survey_profile_view import profile_path

PHASES_KIND = "program_phases"


def schools_path(program_id: int) -> str:
    return f"/programs/{program_id}/schools"


@dataclass(frozen=True)
class SchoolsQuery:
    """Which page of the program's schools is shown."""

    program_id: int
    limit: int = PAGE_SIZE
    offset: int = 0

    def href(self, **changes: Any) -> str:
        """The schools page's address for this page with `changes`, naming only what is set."""
        query = replace(self, **changes)
        params = window_params(query)
        path = schools_path(query.program_id)
        return f"{path}?{urlencode(params)}" if params else path

    def school_form_href(self, school_id: int, action: str) -> str:
        """Where a school's form posts (`advance`, `enrol`): naming this page, shown again."""
        path, mark, params = self.href().partition("?")
        return f"{path}/{school_id}/{action}{mark}{params}"

    def advance_href(self, school_id: int) -> str:
        """Where a school's phase-step forms post."""
        return self.school_form_href(school_id, "advance")

    def enrol_href(self, school_id: int) -> str:
        """Where a school's enrolment form posts."""
        return self.school_form_href(school_id, "enrol")


def parse_schools(program_id: int, params: Mapping[str, str]) -> SchoolsQuery:
    """The page of schools asked for; a value the page does not know is ignored."""
    window = parse_window(params)
    return SchoolsQuery(program_id, window.limit, window.offset)


@dataclass(frozen=True)
class OverrideDraft:
    """An override the server refused, with the reason as typed and the message for its field."""

    school_id: int
    reason: str
    error: str


@dataclass(frozen=True)
class EnrolmentForm:
    """A school's enrolment form: its values (as typed, when refused) and a message per field."""

    cohort: str
    started_on: str
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EnrolmentDraft:
    """An enrolment the server refused, for the school it names."""

    school_id: int
    form: EnrolmentForm


@dataclass(frozen=True)
class PhaseStep:
    """A step a school may take next: its trigger, where it leads, and what blocks it now."""

    trigger: str
    dest_title: str
    version: int
    blocked_by: tuple[str, ...]
    overridable: bool


@dataclass(frozen=True)
class OverriddenGate:
    gate: str
    reason: str


@dataclass(frozen=True)
class OverrideEntry:
    at: dt.datetime
    actor: str | None
    from_title: str
    to_title: str
    reason: str | None
    gates: tuple[OverriddenGate, ...]


@dataclass(frozen=True)
class SchoolLine:
    """One school as the page shows it; phases are titles, None before enrolment."""

    school_id: int
    school: str
    code: str
    cohort: str | None
    started_on: dt.date | None
    expected: str | None
    phase: str | None
    behind: bool
    final: bool
    steps: tuple[PhaseStep, ...]
    overrides: tuple[OverrideEntry, ...]
    refused: tuple[str, ...]
    draft: OverrideDraft | None
    enrolment: EnrolmentForm | None
    """The form that enrols the school in a cohort; None once it is enrolled."""

    @property
    def profile_href(self) -> str:
        return profile_path(self.school_id)


def _title(phase: str | None) -> str | None:
    return phase_titles().get(phase, phase) if phase else None


@dataclass(frozen=True)
class Standing:
    """Where a school's phases stand, as the engine judges them, and what may be overridden."""

    version: int
    view: StageView
    overridable: frozenset[tuple[str, str]]
    """(trigger, source) pairs of its definition that an admin may override."""


def phase_standings(
    *, session: Session, instance_ids: Collection[int], today: dt.date
) -> dict[int, Standing]:
    """The phases instances named (a page's), judged by the engine, in a fixed few queries."""
    catalog = get_catalog()
    instances = phase_instances(session=session, instance_ids=instance_ids)
    progress = schools_progress(
        session=session, school_ids=[i.school_id for i, _ in instances if i.school_id is not None]
    )
    documents = current_documents(
        session=session,
        instance_ids=select(WorkflowInstance.id).where(col(WorkflowInstance.id).in_(instance_ids)),
    )
    standings = {}
    for instance, digest in instances:
        assert instance.id is not None and instance.school_id is not None
        workflow = catalog.pinned_workflow(
            digest, lambda i=instance: session.get_one(StoredDefinition, i.definition_id)
        )
        artifacts, records, numbers = split_documents(workflow, documents.get(instance.id, {}))
        facts = Facts(
            today=today,
            artifacts=artifacts,
            records=records,
            revisions=numbers,
            school_cycles=progress.get(instance.school_id, ()),
        )
        state = InstanceState(instance.state, instance.iteration, instance.launched_on)
        standings[instance.id] = Standing(
            version=instance.version,
            view=workflow.view(state, facts),
            overridable=frozenset(
                (t.trigger, t.source) for t in workflow.definition.transitions if t.overridable
            ),
        )
    return standings


def _steps(standing: Standing) -> tuple[bool, tuple[PhaseStep, ...]]:
    """Whether the school's phases are over, and the steps open from where they stand."""
    view = standing.view
    if view.final:
        return True, ()
    return False, tuple(
        PhaseStep(
            trigger=t.name,
            dest_title=_title(t.dest) or t.dest,
            version=standing.version,
            blocked_by=tuple(u.reason for u in t.unmet),
            overridable=(t.name, view.state) in standing.overridable,
        )
        for t in view.available_triggers
    )


def override_history(
    *, session: Session, program_id: int, school_ids: Collection[int]
) -> dict[int, list[OverrideEntry]]:
    """Every overridden phase step of the schools named, oldest first, by school."""
    rows = session.execute(
        select(
            WorkflowInstance.school_id,
            HistoryEvent.at,
            Person.name,
            HistoryEvent.from_state,
            HistoryEvent.to_state,
            HistoryEvent.reason,
            HistoryEvent.details,
        )
        .join(WorkflowInstance, col(WorkflowInstance.id) == HistoryEvent.instance_id)
        .join(School, col(School.id) == WorkflowInstance.school_id)
        .outerjoin(Person, col(Person.id) == HistoryEvent.actor_id)
        .where(
            School.program_id == program_id,
            col(School.id).in_(school_ids),
            WorkflowInstance.kind == PHASES_KIND,
            HistoryEvent.trigger != "start",
        )
        .order_by(HistoryEvent.at, HistoryEvent.instance_id, HistoryEvent.seq)
    ).all()
    # Few rows (a school takes three steps in all): the JSON is read here, not in SQL.
    history: dict[int, list[OverrideEntry]] = {}
    for school_id, at, actor, before, after, reason, details in rows:
        overridden = (details or {}).get("overridden")
        if not overridden:
            continue
        history.setdefault(school_id, []).append(
            OverrideEntry(
                at=at,
                actor=actor,
                from_title=_title(before) or "",
                to_title=_title(after) or after,
                reason=reason,
                gates=tuple(OverriddenGate(g["gate"], g["reason"]) for g in overridden),
            )
        )
    return history


def _enrolment(
    row: SchoolPhase, today: dt.date, draft: EnrolmentDraft | None
) -> EnrolmentForm | None:
    if row.cohort is not None:
        return None
    if draft is not None and draft.school_id == row.school_id:
        return draft.form
    return EnrolmentForm(cohort="", started_on=today.isoformat())


def _line(
    row: SchoolPhase,
    standing: Standing | None,
    overrides: Sequence[OverrideEntry],
    flash: Flash | None,
    draft: OverrideDraft | None,
    enrolment: EnrolmentForm | None,
) -> SchoolLine:
    final: bool = False
    steps: tuple[PhaseStep, ...] = ()
    if standing is not None:
        final, steps = _steps(standing)
    mine = flash is not None and flash.target == f"school:{row.school_id}"
    return SchoolLine(
        school_id=row.school_id,
        school=row.school,
        code=row.code,
        cohort=row.cohort,
        started_on=row.started_on,
        expected=_title(row.expected_phase),
        phase=_title(row.phase),
        behind=row.behind,
        final=final,
        steps=steps,
        overrides=tuple(overrides),
        refused=flash.reasons if mine and flash is not None and flash.kind == "refused" else (),
        draft=draft if draft is not None and draft.school_id == row.school_id else None,
        enrolment=enrolment,
    )


def schools_context(
    *,
    session: Session,
    query: SchoolsQuery,
    today: dt.date,
    flash: Flash | None = None,
    draft: OverrideDraft | None = None,
    enrolment: EnrolmentDraft | None = None,
) -> dict[str, Any]:
    """One page of the program's schools with their calendar, next step and overrides.

    A school not yet enrolled comes with its enrolment form; `enrolment` is one refused.
    """
    program_id = query.program_id
    page = school_phases_page(
        session=session, program_id=program_id, today=today, limit=query.limit, offset=query.offset
    )
    # Only the page's schools are judged and their histories read.
    instances = {r.phase_instance_id for r in page.rows if r.phase_instance_id is not None}
    history = override_history(
        session=session, program_id=program_id, school_ids=[r.school_id for r in page.rows]
    )
    standings = phase_standings(session=session, instance_ids=instances, today=today)
    lines = tuple(
        _line(
            row,
            standings.get(row.phase_instance_id) if row.phase_instance_id is not None else None,
            history.get(row.school_id, ()),
            flash,
            draft,
            _enrolment(row, today, enrolment),
        )
        for row in page.rows
    )
    return {
        "program_id": program_id,
        "query": query,
        "today": today,
        "lines": lines,
        "paging": paging(page.total, query, lambda offset: query.href(offset=offset)),
        "behind": sum(line.behind for line in lines),
        "enrolled": sum(line.started_on is not None for line in lines),
        "flash": flash,
    }
