"""The forms on a cycle: save an artifact, add a record, fire a trigger.

Each ends in a redirect to the team page (POST, redirect, GET) with a flash
saying what happened, except an artifact the engine refuses as invalid: that
form comes back at once (422) with the person's input and each problem beside
its field, since a redirect would lose what they typed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from engine.content import ArtifactSpec
from engine.errors import (
    ArtifactInvalid,
    ConcurrentChange,
    GatesUnmet,
    TransitionRefused,
    TriggerNotAvailable,
    UnknownTrigger,
)
from service.access import Caller
from service.catalog import get_catalog
from service.errors import InvalidRequest
from service.instances import fire_trigger, save_artifact, workflow_of
from service.queries import get_instance
from service.store.models import WorkflowInstance
from service.web.deps import brief_read, transaction
from service.web.diagram_svg import state_label
from service.web.pages.artifact_forms import humanise, read_form
from service.web.pages.cycle_view import Draft
from service.web.pages.deps import CsrfChecked, PageCaller, PageWorks, SubmittedForm
from service.web.pages.flash import Flash, redirect_with_flash
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.team import team_page_again, team_path

router = APIRouter(route_class=PageRoute)

NOT_SAVED = "Nothing was saved yet: correct the fields marked below, then save again."
CHANGED_MEANWHILE = (
    "Someone changed this cycle while you were working on it, so nothing was saved. "
    "Your text is still below: check the page, then save again."
)


def _team_instance(session: Session, cycle_id: int) -> tuple[WorkflowInstance, int]:
    instance = get_instance(session=session, instance_id=cycle_id)
    if instance.team_id is None:
        raise not_found("team cycle")
    return instance, instance.team_id


def _form_spec(cycle_id: int, kind: str, *, repeatable: bool) -> tuple[ArtifactSpec, int]:
    """The schema of the artifact a form saves, and the cycle's team (read before writing)."""
    with brief_read() as session:
        instance, team_id = _team_instance(session, cycle_id)
        workflow = workflow_of(session, instance, get_catalog())
    spec = workflow.artifacts[kind].spec if kind in workflow.artifact_kinds else None
    if spec is None or spec.repeatable != repeatable:
        raise not_found("artifact of that kind")
    return spec, team_id


def _version(raw: str) -> int | None:
    """The version the form was rendered at; None (so unchecked) when absent or garbled."""
    try:
        return int(raw)
    except ValueError:
        return None


def _save(
    *,
    request: Request,
    caller: Caller,
    cycle_id: int,
    kind: str,
    form: FormData,
    repeatable: bool,
    item: int | None = None,
) -> Response:
    spec, team_id = _form_spec(cycle_id, kind, repeatable=repeatable)
    data = read_form(spec, form)
    expected = _version(str(form.get("expected_version") or ""))
    try:
        with transaction() as session:
            save_artifact(
                session=session,
                instance_id=cycle_id,
                kind=kind,
                data=data,
                author_id=caller.person_id,
                item=item,
                expected_version=expected,
            )
    except ArtifactInvalid as exc:
        errors = {e.path: e.message for e in exc.errors}
        draft = Draft(kind, data, errors, message=NOT_SAVED, item=item)
        return team_page_again(
            request, caller, team_id, can_work=True, status_code=422, draft=draft
        )
    except ConcurrentChange:
        draft = Draft(kind, data, message=CHANGED_MEANWHILE, item=item)
        return team_page_again(
            request, caller, team_id, can_work=True, status_code=409, draft=draft
        )
    except InvalidRequest as exc:  # a record number the iteration does not hold
        raise not_found("record of that number") from exc
    except TransitionRefused as exc:
        return redirect_with_flash(team_path(team_id), Flash("refused", str(exc), target=kind))
    title = spec.title.lower()
    done = f"Saved the {title}."
    if repeatable:
        done = f"Revised {title} record {item}." if item else f"Added a {title} record."
    return redirect_with_flash(f"{team_path(team_id)}#{kind}", Flash("done", done, target=kind))


@router.post("/cycles/{cycle_id}/artifacts/{kind}")
def save_artifact_form(
    cycle_id: int,
    kind: str,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    form: SubmittedForm,
) -> Response:
    """Save a new revision of an artifact (a draft may be incomplete)."""
    return _save(
        request=request,
        caller=caller,
        cycle_id=cycle_id,
        kind=kind,
        form=form,
        repeatable=False,
    )


@router.post("/cycles/{cycle_id}/records/{kind}")
def add_record_form(
    cycle_id: int,
    kind: str,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    form: SubmittedForm,
) -> Response:
    """Add a record (such as one data collection) to the current iteration."""
    return _save(
        request=request,
        caller=caller,
        cycle_id=cycle_id,
        kind=kind,
        form=form,
        repeatable=True,
    )


@router.post("/cycles/{cycle_id}/records/{kind}/{item}")
def revise_record_form(
    cycle_id: int,
    kind: str,
    item: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    form: SubmittedForm,
) -> Response:
    """Save a new revision of one record of the current iteration; earlier ones are kept."""
    return _save(
        request=request,
        caller=caller,
        cycle_id=cycle_id,
        kind=kind,
        form=form,
        repeatable=True,
        item=item,
    )


def _refusal(exc: TransitionRefused) -> tuple[str, ...]:
    if isinstance(exc, GatesUnmet):
        return tuple(u.reason for u in exc.unmet)
    if isinstance(exc, TriggerNotAvailable):
        return (f"This step is not available while the cycle is in {exc.state}.",)
    if isinstance(exc, ConcurrentChange):
        return ("Someone moved this cycle meanwhile; check where it stands now.",)
    return (str(exc),)


@router.post("/cycles/{cycle_id}/triggers/{trigger}")
def fire_trigger_form(
    cycle_id: int,
    trigger: str,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    reason: Annotated[str, Form()] = "",
    expected_version: Annotated[str, Form()] = "",
) -> Response:
    """Fire a trigger; a refusal comes back beside its button with every reason."""
    with brief_read() as session:
        _, team_id = _team_instance(session, cycle_id)
    target = f"{team_path(team_id)}#actions"
    try:
        # A refusal raised inside the block rolls everything back, including the transition
        # already written when the follow-up cycle of move_on or choose_condition is refused.
        with transaction() as session:
            fired = fire_trigger(
                session=session,
                instance_id=cycle_id,
                trigger=trigger,
                actor_id=caller.person_id,
                reason=reason.strip() or None,
                expected_version=_version(expected_version),
            )
    except UnknownTrigger as exc:
        raise not_found("step of that name") from exc
    except TransitionRefused as exc:
        return redirect_with_flash(
            target,
            Flash(
                "refused", f"{humanise(trigger)} was refused.", f"trigger:{trigger}", _refusal(exc)
            ),
        )
    state = fired.instance.state
    message = f"Done: the cycle is now in {state_label(state).lower()}."
    if fired.next_cycle_id is not None:
        message = "Done: this cycle is closed and the team's next cycle has started."
    return redirect_with_flash(target, Flash("done", message, f"trigger:{trigger}"))
