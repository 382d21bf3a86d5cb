"""What the team page shows under each document: its comment thread and the coach's sign-off.

A document's thread spans every revision and pass, oldest first, with replies under the
comment they answer. New comments go on the revision the page shows. A coach is offered a
sign-off wherever a step the team could take next is blocked by an unmet `coach_signoff`
gate on a document that has a saved revision; the engine's gate says which, so the page
never guesses at the program's settings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from engine.workflow import SIGNOFF, StageView
from service.access import Action, Caller, Scope, allowed
from service.feedback import CommentView, signoffs, thread
from service.web.pages.artifact_forms import humanise
from service.web.pages.cycle_view import ArtifactPanel, CyclePage, trigger_label
from service.web.pages.flash import Flash

MAX_COMMENT = 20_000
"""The API's limit on a comment (service.web.api.feedback.CommentCreate)."""


def comments_path(cycle_id: int, kind: str) -> str:
    return f"/cycles/{cycle_id}/artifacts/{kind}/comments"


def signoffs_path(cycle_id: int, kind: str) -> str:
    return f"/cycles/{cycle_id}/artifacts/{kind}/signoffs"


def feedback_target(kind: str) -> str:
    """The flash target (and page anchor) of a document's feedback section."""
    return f"feedback-{kind}"


@dataclass(frozen=True)
class ThreadEntry:
    """A comment and the replies to it, each on the revision it was written about."""

    id: int
    author: str
    at: dt.datetime
    revision: int
    iteration: int
    body: str
    replies: tuple[ThreadEntry, ...]


@dataclass(frozen=True)
class SignOffOffer:
    """A step blocked until a coach signs off the document's current revision."""

    trigger: str
    step: str
    revision: int


@dataclass(frozen=True)
class SignedOff:
    coach: str
    revision: int
    step: str
    at: dt.datetime
    current: bool
    """False once the team has revised the document since: the sign-off no longer counts."""


@dataclass(frozen=True)
class FeedbackPanel:
    kind: str
    title: str
    revision: int
    """The revision on screen: new comments and sign-offs name it."""
    iteration: int
    thread: tuple[ThreadEntry, ...]
    count: int
    comment_action: str | None
    """Where the comment and reply forms post; None for those who may not comment."""
    signoff_action: str | None
    """Where the sign-off buttons post; None for those who may not sign off."""
    wanted: tuple[SignOffOffer, ...]
    signed: tuple[SignedOff, ...]
    refused: tuple[str, ...]
    max_comment: int = MAX_COMMENT


def _tree(comments: Sequence[CommentView]) -> tuple[ThreadEntry, ...]:
    """Replies under the comment they answer, each level oldest first."""
    known = {c.id for c in comments}
    children: dict[int | None, list[CommentView]] = defaultdict(list)
    for c in comments:
        children[c.parent_id if c.parent_id in known else None].append(c)

    def entries(parent: int | None) -> tuple[ThreadEntry, ...]:
        return tuple(
            ThreadEntry(
                c.id, c.author, c.created_at, c.revision, c.iteration, c.body, entries(c.id)
            )
            for c in children[parent]
        )

    return entries(None)


def _wanted(view: StageView) -> dict[str, list[tuple[str, str]]]:
    """For each document, the next steps (trigger, label) its unmet sign-off holds back."""
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    prefix = f"{SIGNOFF}: "
    for trigger in view.available_triggers:
        for unmet in trigger.unmet:
            if unmet.gate.startswith(prefix):
                step = trigger_label(trigger.name, trigger.dest)
                wanted[unmet.gate.removeprefix(prefix)].append((trigger.name, step))
    return wanted


def feedback_panels(
    *,
    session: Session,
    caller: Caller,
    scope: Scope,
    cycle: CyclePage,
    view: StageView,
    flash: Flash | None,
) -> dict[str, FeedbackPanel]:
    """A panel for each document of the stage that has a saved revision, by artifact kind."""
    documents = [p for p in cycle.artifacts if not p.repeatable and p.saved is not None]
    if not documents:
        return {}
    may_comment = allowed(caller, Action.COMMENT, scope)
    may_sign = allowed(caller, Action.SIGN_OFF, scope) and not cycle.final
    wanted = _wanted(view)
    steps = {t.name: trigger_label(t.name, t.dest) for t in view.available_triggers}
    signed = [
        s
        for s in signoffs(session=session, instance_id=cycle.cycle_id)
        if s.iteration == cycle.iteration
    ]
    panels = {}
    for panel in documents:
        panels[panel.kind] = _panel(
            session=session,
            cycle=cycle,
            panel=panel,
            may_comment=may_comment,
            may_sign=may_sign,
            wanted=wanted.get(panel.kind, []),
            signed=[
                SignedOff(
                    s.coach,
                    s.revision,
                    steps.get(s.trigger) or humanise(s.trigger),
                    s.created_at,
                    s.current,
                )
                for s in signed
                if s.kind == panel.kind
            ],
            flash=flash,
        )
    return panels


def _panel(
    *,
    session: Session,
    cycle: CyclePage,
    panel: ArtifactPanel,
    may_comment: bool,
    may_sign: bool,
    wanted: list[tuple[str, str]],
    signed: list[SignedOff],
    flash: Flash | None,
) -> FeedbackPanel:
    assert panel.saved is not None
    comments = thread(session=session, instance_id=cycle.cycle_id, kind=panel.kind)
    mine = flash is not None and flash.target == feedback_target(panel.kind)
    return FeedbackPanel(
        kind=panel.kind,
        title=panel.title,
        revision=panel.saved.revision,
        iteration=cycle.iteration,
        thread=_tree(comments),
        count=len(comments),
        comment_action=comments_path(cycle.cycle_id, panel.kind) if may_comment else None,
        signoff_action=signoffs_path(cycle.cycle_id, panel.kind) if may_sign else None,
        wanted=tuple(SignOffOffer(t, step, panel.saved.revision) for t, step in wanted),
        signed=tuple(signed),
        refused=flash.reasons if mine and flash is not None and flash.kind == "refused" else (),
    )
