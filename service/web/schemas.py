"""Request and response bodies of the JSON API. Field names here are a contract."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_ID = 2**31 - 1
"""Ids and counters stay inside a 32-bit integer, which every database column can hold."""

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=1, le=MAX_ID)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserCreate(_Request):
    email: Email
    name: Name
    password: Annotated[str, Field(min_length=10, max_length=200)]


class ProgramCreate(_Request):
    name: Name


class SchoolCreate(_Request):
    name: Name
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class TeamCreate(_Request):
    name: Name


class PersonRef(_Request):
    user_id: Count


class CycleCreate(_Request):
    condition: str
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class FireRequest(_Request):
    reason: Annotated[str, Field(max_length=5000)] | None = None
    expected_version: Count | None = None
    override: bool = False


class Created(BaseModel):
    id: int


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class PersonOut(BaseModel):
    id: int
    email: str
    name: str
    is_site_admin: bool


class MeOut(PersonOut):
    roles: list[str]
    member_of: list[int]
    coach_of: list[int]
    admin_of: list[int]


class ProgramOut(BaseModel):
    id: int
    name: str


class SchoolOut(BaseModel):
    id: int
    program_id: int
    name: str
    code: str


class TeamOut(BaseModel):
    id: int
    school_id: int
    name: str


class MembershipOut(BaseModel):
    id: int
    team_id: int
    user_id: int
    name: str
    role: str


class UnmetOut(BaseModel):
    gate: str
    reason: str


class TriggerOut(BaseModel):
    """Every trigger of the workflow: those leaving the current state (`available`) first."""

    name: str
    dest: str
    allowed: bool
    available: bool = Field(
        description="whether the trigger leaves the current state at all; when not, `unmet` "
        "holds one `available_from` entry naming the states it leaves from"
    )
    needs_reason: bool
    unmet: list[UnmetOut]


class RequiredArtifactOut(BaseModel):
    kind: str
    status: Literal["missing", "incomplete", "complete"]
    missing_fields: list[str]
    problems: list[str]


class PhaseOut(BaseModel):
    state: str
    title: str


class CycleStatusOut(BaseModel):
    id: int = Field(description="the cycle's id (the same as `cycle_id`)")
    cycle_id: int
    workflow: str
    condition: str | None
    state: str
    iteration: int
    version: int
    title: str
    goal: str
    final: bool
    entered_at: dt.datetime
    days_in_state: int
    launched_on: dt.date | None
    required_artifacts: list[RequiredArtifactOut]
    triggers: list[TriggerOut]


class TeamStatusOut(BaseModel):
    team_id: int
    team: str
    program_phase: PhaseOut | None
    cycle: CycleStatusOut | None
    # The active cycle's fields, repeated at the top level for simple clients.
    cycle_id: int | None
    condition: str | None
    state: str | None
    iteration: int | None
    title: str | None
    goal: str | None
    entered_at: dt.datetime | None
    days_in_state: int | None
    required_artifacts: list[RequiredArtifactOut]
    triggers: list[TriggerOut]


class RevisionOut(BaseModel):
    kind: str
    iteration: int
    item: int
    revision: int
    body: dict[str, Any]
    author_id: int | None
    created_at: dt.datetime


class ArtifactOut(BaseModel):
    kind: str
    iteration: int
    status: Literal["missing", "incomplete", "complete"]
    missing_fields: list[str]
    current: RevisionOut | None


class EventOut(BaseModel):
    seq: int
    at: dt.datetime
    actor: str | None
    actor_id: int | None
    trigger: str
    from_state: str | None
    to_state: str
    iteration: int
    reason: str | None
    details: dict[str, Any]


class WorkflowOut(BaseModel):
    name: str
    version: int
    kind: str
    title: str
    condition: str | None
    digest: str


class DiagramOut(BaseModel):
    workflow: str
    version: int
    highlight: str | None
    mermaid: str


class CheckInCreate(_Request):
    date: dt.date
    mode: Literal["in_person", "virtual"]
    notes: Annotated[str, Field(max_length=20_000)] = ""
    next_steps: Annotated[str, Field(max_length=20_000)] = ""
    attendees: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=100)] = []


class CheckInOut(BaseModel):
    id: int
    team_id: int
    author_id: int
    date: dt.date
    mode: str
    notes: str
    next_steps: str
    attendees: list[str]
    created_at: dt.datetime


class OverdueItemOut(BaseModel):
    action: str
    owner: str
    due: dt.date


class CaseloadRowOut(BaseModel):
    team_id: int
    team: str
    school: str
    program_phase: str | None
    cycle_id: int | None
    condition: str | None
    state: str | None
    iteration: int | None
    days_in_state: int | None
    owed: list[str]
    overdue_items: list[OverdueItemOut]
    last_activity: dt.datetime | None
    last_checkin: dt.date | None
    flags: list[str]


class CaseloadOut(BaseModel):
    total: int
    limit: int
    offset: int
    rows: list[CaseloadRowOut]


class StageCellOut(BaseModel):
    condition: str
    state: str
    count: int
    team_ids: list[int]


class StageBoardOut(BaseModel):
    conditions: list[str]
    states: list[str]
    cells: list[StageCellOut]
