"""Commenting on a document, replying, and a coach's sign-off, from the team page.

Each ends in a redirect to the team page (POST, redirect, GET). A refusal, such as a
sign-off of a revision the team has since replaced, comes back as a flash whose reasons
are shown beside the document's feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from sqlmodel import Session
from starlette.responses import Response

from engine.errors import TransitionRefused, UnknownArtifact
from service.access import Action, Scope
from service.catalog import get_catalog
from service.errors import InvalidRequest, NotFound
from service.feedback import comment, sign_off
from service.web.deps import transaction
from service.web.pages.artifact_forms import humanise
from service.web.pages.deps import CsrfChecked, PageCaller, page_access
from service.web.pages.feedback_view import MAX_COMMENT, feedback_target
from service.web.pages.flash import Flash, redirect_with_flash
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.team import as_sentence, team_of_cycle, team_path

router = APIRouter(route_class=PageRoute)

OUT_OF_DATE = "The form was out of date: reload the page and try again."


PageComments = Annotated[
    Scope,
    Depends(page_access(Action.COMMENT, "You can read this team's work but not comment on it.")),
]
PageSignsOff = Annotated[
    Scope,
    Depends(
        page_access(
            Action.SIGN_OFF, "Only the team's coach, or an admin of its program, can sign off."
        )
    ),
]


def _number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _title(kind: str) -> str:
    """The document's title in a sentence ('the purpose map'), from the content pack."""
    spec = get_catalog().content.artifacts.get(kind)
    return spec.title.lower() if spec else humanise(kind).lower()


def _sentence(reason: str, kind: str) -> str:
    """A service refusal ('revision 2 of purpose_map is ...') as a sentence for the page."""
    return as_sentence(re.sub(rf"\b{re.escape(kind)}\b", f"the {_title(kind)}", reason))


def _back(team_id: int, kind: str, flash: Flash) -> Response:
    return redirect_with_flash(f"{team_path(team_id)}#{feedback_target(kind)}", flash)


def _refused(team_id: int, kind: str, message: str, reason: str) -> Response:
    return _back(team_id, kind, Flash("refused", message, feedback_target(kind), (reason,)))


def _write(
    team_id: int, kind: str, write: Callable[[Session], object], *, done: str, refused: str
) -> Response:
    """Run `write` in one unit of work, then back to the document's feedback saying how it went."""
    try:
        with transaction() as session:
            write(session)
    except UnknownArtifact as exc:
        raise not_found("document of that kind") from exc
    except (InvalidRequest, NotFound, TransitionRefused) as exc:
        # NotFound here is a revision or comment the form named that is not there: a stale page.
        reason = OUT_OF_DATE if isinstance(exc, NotFound) else _sentence(str(exc), kind)
        return _refused(team_id, kind, refused, reason)
    return _back(team_id, kind, Flash("done", done, feedback_target(kind)))


@router.post("/cycles/{cycle_id}/artifacts/{kind}/comments")
def comment_form(
    cycle_id: int,
    kind: str,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageComments,
    body: Annotated[str, Form()] = "",
    revision: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    """Comment on the revision the page showed, or reply to a comment in the same thread."""
    team_id = team_of_cycle(cycle_id)
    what = "reply" if parent_id else "comment"
    refused = f"Your {what} was not added."
    number, parent = _number(revision), _number(parent_id) if parent_id else None
    if number is None or (parent_id and parent is None):
        return _refused(team_id, kind, refused, OUT_OF_DATE)
    if len(body) > MAX_COMMENT:
        reason = f"Keep it under {MAX_COMMENT:,} characters (it has {len(body):,})."
        return _refused(team_id, kind, refused, reason)
    return _write(
        team_id,
        kind,
        lambda session: comment(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            revision=number,
            body=body,
            author_id=caller.person_id,
            parent_id=parent,
        ),
        done=f"Your {what} on revision {number} of the {_title(kind)} was added.",
        refused=refused,
    )


@router.post("/cycles/{cycle_id}/artifacts/{kind}/signoffs")
def sign_off_form(
    cycle_id: int,
    kind: str,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageSignsOff,
    revision: Annotated[str, Form()] = "",
    trigger: Annotated[str, Form()] = "",
) -> Response:
    """Sign off the document's current revision for the step that waits on it."""
    team_id = team_of_cycle(cycle_id)
    number = _number(revision)
    refused = "The sign-off was not recorded."
    if number is None or not trigger:
        return _refused(team_id, kind, refused, OUT_OF_DATE)
    return _write(
        team_id,
        kind,
        lambda session: sign_off(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            revision=number,
            trigger=trigger,
            coach_id=caller.person_id,
        ),
        done=f"Signed off revision {number} of the {_title(kind)}.",
        refused=refused,
    )
