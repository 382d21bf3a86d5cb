"""Coach feedback: comments on artifact revisions, sign-offs, and the program settings for both.

A comment and a sign-off each name one saved revision. A comment belongs to the
artifact's thread for good; a sign-off approves only the revision it names, so a
later edit leaves the `coach_signoff` gate unmet until a coach looks again.
None of these functions commits: the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from engine.errors import InstanceClosed, UnknownArtifact
from engine.workflow import Workflow
from service.catalog import Catalog, get_catalog
from service.errors import InvalidRequest, NotFound
from service.instances import workflow_of
from service.queries import current_revisions, get_instance, team_signoff_triggers
from service.store.models import (
    ArtifactRevision,
    Comment,
    Person,
    Program,
    SignOff,
    WorkflowInstance,
    utcnow,
)

STALL_DAYS = range(1, 366)
"""A program flags a team as stalled after this many quiet days: at least one, at most a year."""


@dataclass(frozen=True)
class CommentView:
    """One comment in an artifact's thread; `parent_id` is set on a reply."""

    id: int
    parent_id: int | None
    iteration: int
    revision: int
    author_id: int
    author: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SignOffView:
    """A coach's sign-off; `current` says whether it still covers the artifact as it stands."""

    id: int
    kind: str
    iteration: int
    revision: int
    trigger: str
    coach_id: int
    coach: str
    created_at: dt.datetime
    current: bool


def _document_kind(workflow: Workflow, kind: str) -> None:
    """Only single documents carry threads and sign-offs; records are revised item by item."""
    if kind not in workflow.artifact_kinds:
        raise UnknownArtifact(kind)
    if workflow.artifacts[kind].spec.repeatable:
        raise InvalidRequest(f"{kind} is a set of records; comments and sign-offs are on documents")


def _revision(
    session: Session, instance_id: int, iteration: int, kind: str, revision: int
) -> ArtifactRevision:
    row = session.exec(
        select(ArtifactRevision).where(
            ArtifactRevision.instance_id == instance_id,
            ArtifactRevision.iteration == iteration,
            ArtifactRevision.kind == kind,
            ArtifactRevision.item == 1,
            ArtifactRevision.revision == revision,
        )
    ).first()
    if row is None:
        raise NotFound(f"{kind} revision", f"{revision} (iteration {iteration})")
    return row


def comment(
    *,
    session: Session,
    instance_id: int,
    kind: str,
    revision: int,
    body: str,
    author_id: int,
    parent_id: int | None = None,
    iteration: int | None = None,
    catalog: Catalog | None = None,
) -> CommentView:
    """Add a comment on one revision (of the current iteration unless named), or a reply."""
    instance = get_instance(session=session, instance_id=instance_id)
    _document_kind(workflow_of(session, instance, catalog or get_catalog()), kind)
    if not body.strip():
        raise InvalidRequest("the comment is blank")
    target = _revision(session, instance_id, iteration or instance.iteration, kind, revision)
    if parent_id is not None:
        thread_of_parent = session.exec(
            select(ArtifactRevision.instance_id, ArtifactRevision.kind)
            .join(Comment, col(Comment.revision_id) == ArtifactRevision.id)
            .where(Comment.id == parent_id)
        ).first()
        # One message whether the parent is elsewhere or nowhere: ids of other cycles stay private.
        if thread_of_parent is None or tuple(thread_of_parent) != (instance_id, kind):
            raise InvalidRequest(
                f"comment {parent_id} is not in this cycle's {kind} thread; "
                "reply to a comment on the same artifact"
            )
    row = Comment(
        revision_id=target.id or 0, parent_id=parent_id, author_id=author_id, body=body.strip()
    )
    session.add(row)
    session.flush()
    (view,) = _comment_views(session, col(Comment.id) == row.id)
    return view


def thread(
    *, session: Session, instance_id: int, kind: str, catalog: Catalog | None = None
) -> list[CommentView]:
    """Every comment on every revision of the artifact, across iterations, oldest first."""
    instance = get_instance(session=session, instance_id=instance_id)
    _document_kind(workflow_of(session, instance, catalog or get_catalog()), kind)
    return _comment_views(
        session, (ArtifactRevision.instance_id == instance_id) & (ArtifactRevision.kind == kind)
    )


def _comment_views(session: Session, where: ColumnElement[bool]) -> list[CommentView]:
    query = (
        select(Comment, ArtifactRevision.iteration, ArtifactRevision.revision, Person.name)
        .join(ArtifactRevision, col(ArtifactRevision.id) == Comment.revision_id)
        .join(Person, col(Person.id) == Comment.author_id)
        .where(where)
        .order_by(col(Comment.created_at), col(Comment.id))
    )
    return [
        CommentView(
            c.id or 0, c.parent_id, iteration, revision, c.author_id, author, c.body, c.created_at
        )
        for c, iteration, revision, author in session.exec(query).all()
    ]


def _signoff_trigger(
    session: Session, instance: WorkflowInstance, workflow: Workflow, kind: str, trigger: str
) -> None:
    """Refuse a sign-off that no gate of `trigger` would count, saying what would count."""
    if trigger not in workflow.definition.triggers:
        raise InvalidRequest(f"{trigger!r} is not a trigger of this cycle")
    program_triggers = team_signoff_triggers(session=session, team_id=instance.team_id or 0)
    kinds = workflow.signoff_kinds(trigger, program_triggers)
    if not kinds:
        raise InvalidRequest(f"{trigger} needs no coach's sign-off in this program")
    if kind not in kinds:
        raise InvalidRequest(f"{trigger} asks for a sign-off of {', '.join(kinds)}, not {kind}")


def sign_off(
    *,
    session: Session,
    instance_id: int,
    kind: str,
    revision: int,
    trigger: str,
    coach_id: int,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> SignOffView:
    """Approve the current revision of an artifact for a trigger that asks for a sign-off."""
    # Locked as save_artifact locks it, so no new revision can slip in while we check.
    instance = get_instance(session=session, instance_id=instance_id, lock=True)
    workflow = workflow_of(session, instance, catalog or get_catalog())
    _document_kind(workflow, kind)
    if workflow.is_final(instance.state):
        raise InstanceClosed(instance.state)
    _signoff_trigger(session, instance, workflow, kind, trigger)
    target = _revision(session, instance_id, instance.iteration, kind, revision)
    (current,) = current_revisions(
        session=session, instance_id=instance_id, iteration=instance.iteration, kind=kind
    )
    if current.revision != revision:
        raise InvalidRequest(
            f"revision {revision} of {kind} is no longer current (it is at revision "
            f"{current.revision}); sign off the artifact as it stands now"
        )
    taken = session.exec(
        select(SignOff.id).where(SignOff.revision_id == target.id, SignOff.trigger == trigger)
    ).first()
    if taken is not None:
        raise InvalidRequest(f"revision {revision} of {kind} is already signed off for {trigger}")
    row = SignOff(
        revision_id=target.id or 0, trigger=trigger, coach_id=coach_id, created_at=now or utcnow()
    )
    session.add(row)
    session.flush()
    (view,) = _signoff_views(session, col(SignOff.id) == row.id, current={target.id})
    return view


def signoffs(*, session: Session, instance_id: int) -> list[SignOffView]:
    """Every sign-off on the cycle's artifacts, across iterations, oldest first."""
    instance = get_instance(session=session, instance_id=instance_id)
    rows = current_revisions(session=session, instance_id=instance_id, iteration=instance.iteration)
    return _signoff_views(
        session, ArtifactRevision.instance_id == instance_id, current={r.id for r in rows}
    )


def _signoff_views(
    session: Session, where: ColumnElement[bool], *, current: set[int | None]
) -> list[SignOffView]:
    query = (
        select(
            SignOff,
            ArtifactRevision.kind,
            ArtifactRevision.iteration,
            ArtifactRevision.revision,
            Person.name,
        )
        .join(ArtifactRevision, col(ArtifactRevision.id) == SignOff.revision_id)
        .join(Person, col(Person.id) == SignOff.coach_id)
        .where(where)
        .order_by(col(SignOff.created_at), col(SignOff.id))
    )
    return [
        SignOffView(
            s.id or 0,
            kind,
            iteration,
            revision,
            s.trigger,
            s.coach_id,
            coach,
            s.created_at,
            current=s.revision_id in current,
        )
        for s, kind, iteration, revision, coach in session.exec(query).all()
    ]


def signable_triggers(catalog: Catalog | None = None) -> list[str]:
    """The cycle triggers a program may ask a sign-off for: those that gate a whole document."""
    catalog = catalog or get_catalog()
    cycles = [d for d in catalog.definitions.values() if d.kind == "cycle"]
    found = [
        trigger
        for d in cycles
        for trigger in d.triggers
        if catalog.current_workflow(d.name).signoff_kinds(trigger, {trigger})
    ]
    return list(dict.fromkeys(found))


def program_settings(*, session: Session, program_id: int) -> Program:
    """The program, whose row holds its settings (stall days and sign-off triggers)."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound("program", program_id)
    return program


def set_signoff_triggers(
    *,
    session: Session,
    program_id: int,
    triggers: Iterable[str],
    catalog: Catalog | None = None,
) -> Program:
    """Name the triggers that need a coach's sign-off in this program's cycles (may be none)."""
    program = program_settings(session=session, program_id=program_id)
    wanted = list(dict.fromkeys(triggers))
    allowed = signable_triggers(catalog)
    unknown = [t for t in wanted if t not in allowed]
    if unknown:
        raise InvalidRequest(
            f"no sign-off can be asked for {', '.join(unknown)}; "
            f"choose from the triggers that gate a document: {', '.join(allowed)}"
        )
    program.signoff_triggers = wanted
    session.add(program)
    session.flush()
    return program


def update_program_settings(
    *,
    session: Session,
    program_id: int,
    stall_days: int,
    signoff_triggers: Iterable[str],
    catalog: Catalog | None = None,
) -> Program:
    """Set how long a quiet team waits before it is flagged, and which triggers need a sign-off."""
    if stall_days not in STALL_DAYS:
        raise InvalidRequest(f"stall_days must be between 1 and 365, not {stall_days}")
    program = set_signoff_triggers(
        session=session, program_id=program_id, triggers=signoff_triggers, catalog=catalog
    )
    program.stall_days = stall_days
    session.add(program)
    session.flush()
    return program
