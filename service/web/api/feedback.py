"""Coach feedback: comment threads on artifact revisions, sign-offs, and program settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.access import Action
from service.feedback import (
    comment,
    program_settings,
    sign_off,
    signable_triggers,
    signoffs,
    thread,
    update_program_settings,
)
from service.store.models import Program
from service.web.deps import Administers, CurrentCaller, Reads, SessionDep, require, transaction
from service.web.errors import documented
from service.web.schemas import MAX_ID, Count, Id

router = APIRouter(
    prefix="/api", tags=["feedback"], responses=documented(400, 401, 403, 404, 409, 422)
)
Comments = Annotated[object, Depends(require(Action.COMMENT))]
SignsOff = Annotated[object, Depends(require(Action.SIGN_OFF))]
TriggerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommentCreate(_Request):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
    parent_id: Count | None = None


class CommentOut(BaseModel):
    id: int
    parent_id: int | None
    iteration: int
    revision: int
    author_id: int
    author: str
    body: str
    created_at: dt.datetime


class SignOffCreate(_Request):
    revision: Count
    trigger: TriggerName


class SignOffOut(BaseModel):
    id: int
    kind: str
    iteration: int
    revision: int
    trigger: str
    coach_id: int
    coach: str
    created_at: dt.datetime
    current: bool


class ProgramSettingsIn(_Request):
    stall_days: Annotated[int, Field(ge=1, le=365)]
    signoff_triggers: Annotated[list[TriggerName], Field(max_length=50)]


class ProgramSettingsOut(BaseModel):
    program_id: int
    stall_days: int
    signoff_triggers: list[str]
    signable_triggers: list[str] = Field(description="the triggers a program may choose")


@router.post(
    "/cycles/{cycle_id}/artifacts/{kind}/revisions/{revision}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentOut,
)
def new_comment(
    cycle_id: Id,
    kind: str,
    revision: Id,
    body: CommentCreate,
    caller: CurrentCaller,
    _: Comments,
    iteration: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> CommentOut:
    """Comment on one revision (of the current iteration by default), or reply with `parent_id`."""
    with transaction() as session:
        added = comment(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            revision=revision,
            body=body.body,
            author_id=caller.person_id,
            parent_id=body.parent_id,
            iteration=iteration,
        )
    return CommentOut.model_validate(added, from_attributes=True)


@router.get("/cycles/{cycle_id}/artifacts/{kind}/comments", response_model=list[CommentOut])
def get_thread(cycle_id: Id, kind: str, session: SessionDep, _: Reads) -> list[CommentOut]:
    """The artifact's whole thread, every revision and iteration, oldest first."""
    comments = thread(session=session, instance_id=cycle_id, kind=kind)
    return [CommentOut.model_validate(c, from_attributes=True) for c in comments]


@router.post(
    "/cycles/{cycle_id}/artifacts/{kind}/signoffs",
    status_code=status.HTTP_201_CREATED,
    response_model=SignOffOut,
)
def new_signoff(
    cycle_id: Id, kind: str, body: SignOffCreate, caller: CurrentCaller, _: SignsOff
) -> SignOffOut:
    """Sign off the artifact's current revision for a trigger that needs it (coaches, admins)."""
    with transaction() as session:
        signed = sign_off(
            session=session,
            instance_id=cycle_id,
            kind=kind,
            revision=body.revision,
            trigger=body.trigger,
            coach_id=caller.person_id,
        )
    return SignOffOut.model_validate(signed, from_attributes=True)


@router.get("/cycles/{cycle_id}/signoffs", response_model=list[SignOffOut])
def list_signoffs(cycle_id: Id, session: SessionDep, _: Reads) -> list[SignOffOut]:
    """Every sign-off on the cycle, oldest first; `current` marks those still in force."""
    found = signoffs(session=session, instance_id=cycle_id)
    return [SignOffOut.model_validate(s, from_attributes=True) for s in found]


def _settings_out(program: Program) -> ProgramSettingsOut:
    return ProgramSettingsOut(
        program_id=program.id or 0,
        stall_days=program.stall_days,
        signoff_triggers=program.signoff_triggers,
        signable_triggers=signable_triggers(),
    )


@router.put("/programs/{program_id}/settings", response_model=ProgramSettingsOut)
def put_program_settings(
    program_id: Id, body: ProgramSettingsIn, _: Administers
) -> ProgramSettingsOut:
    """Set the stall threshold and the triggers that need a coach's sign-off (program admins)."""
    with transaction() as session:
        program = update_program_settings(
            session=session,
            program_id=program_id,
            stall_days=body.stall_days,
            signoff_triggers=body.signoff_triggers,
        )
        settings = _settings_out(program)
    return settings


@router.get("/programs/{program_id}/settings", response_model=ProgramSettingsOut)
def get_program_settings(program_id: Id, session: SessionDep, _: Reads) -> ProgramSettingsOut:
    """The program's stall threshold and sign-off triggers, with the triggers it may choose."""
    return _settings_out(program_settings(session=session, program_id=program_id))
