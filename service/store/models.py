"""Every table, in one module. Rows hold data; the rules live in the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def _timestamp(**kwargs: Any) -> Any:
    # Looks utcnow up when a row is made, so a test that holds the clock still holds these too.
    return Field(default_factory=lambda: utcnow(), sa_type=UTCDateTime, **kwargs)


class Program(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    stall_days: int = Field(default=21, sa_column_kwargs={"server_default": "21"})
    """A team with no activity for this many days is flagged as stalled."""
    signoff_triggers: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
    )
    """Triggers that also need a coach's sign-off on the artifacts they gate."""
    created_at: dt.datetime = _timestamp()


class School(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    name: str = Field(max_length=200)
    code: str = Field(max_length=50)
    created_at: dt.datetime = _timestamp()


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=200)
    created_at: dt.datetime = _timestamp()


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=500)
    is_site_admin: bool = False
    created_at: dt.datetime = _timestamp()


class TeamMembership(SQLModel, table=True):
    """A person's place on a team: `member` works on it, `coach` supports it."""

    __table_args__ = (UniqueConstraint("team_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    created_at: dt.datetime = _timestamp()


class ProgramAdmin(SQLModel, table=True):
    program_id: int = Field(foreign_key="program.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    created_at: dt.datetime = _timestamp()


class StoredDefinition(SQLModel, table=True):
    """The exact body of a definition version some instance was pinned to."""

    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    version: int
    digest: str = Field(max_length=64, unique=True)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _timestamp()


class WorkflowInstance(SQLModel, table=True):
    """One run of a workflow: a team's cycle on a condition, its onboarding, or a school's phases.

    `version` goes up on every change, so a writer can tell the instance moved under it.
    """

    id: int | None = Field(default=None, primary_key=True)
    definition_id: int = Field(foreign_key="storeddefinition.id")
    kind: str = Field(max_length=20, index=True)
    workflow: str = Field(max_length=100)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    condition: str | None = Field(default=None, max_length=100)
    state: str = Field(max_length=50)
    iteration: int = 1
    launched_on: dt.date | None = None
    version: int = 1
    entered_at: dt.datetime = _timestamp()
    created_at: dt.datetime = _timestamp()


class ArtifactRevision(SQLModel, table=True):
    """One saved revision of an artifact (item 1) or of one repeatable record (item 1, 2, ...)."""

    __table_args__ = (UniqueConstraint("instance_id", "iteration", "kind", "item", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflowinstance.id", index=True)
    iteration: int
    kind: str = Field(max_length=50)
    item: int = 1
    revision: int
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = _timestamp()


class HistoryEvent(SQLModel, table=True):
    """An append-only record of one transition; `seq` numbers an instance's events from 1."""

    __table_args__ = (UniqueConstraint("instance_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflowinstance.id", index=True)
    seq: int
    at: dt.datetime = _timestamp()
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    trigger: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=50)
    to_state: str = Field(max_length=50)
    iteration: int
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AccessToken(SQLModel, table=True):
    """A bearer token or a page session; only its SHA-256 is stored, so a leak of rows is inert."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _timestamp()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class CheckIn(SQLModel, table=True):
    """A coach's monthly check-in or site visit with a team."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    held_on: dt.date
    mode: str = Field(max_length=20)
    notes: str
    next_steps: str
    attendees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _timestamp()


class Enrolment(SQLModel, table=True):
    """A school's place in a program cohort; the calendar of its phases runs from `started_on`."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", unique=True)
    cohort: str = Field(max_length=100)
    started_on: dt.date
    created_at: dt.datetime = _timestamp()


class Comment(SQLModel, table=True):
    """A remark on one artifact revision; `parent_id` makes it a reply in that thread."""

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="artifactrevision.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    author_id: int = Field(foreign_key="person.id")
    body: str
    created_at: dt.datetime = _timestamp()


class SignOff(SQLModel, table=True):
    """A coach's approval of one artifact revision, for the trigger it gates."""

    __table_args__ = (UniqueConstraint("revision_id", "trigger"),)

    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="artifactrevision.id", index=True)
    trigger: str = Field(max_length=50)
    coach_id: int = Field(foreign_key="person.id")
    created_at: dt.datetime = _timestamp()


class SharedCycle(SQLModel, table=True):
    """A finished cycle a team has shared with the rest of its program."""

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflowinstance.id", unique=True)
    shared_by: int = Field(foreign_key="person.id")
    created_at: dt.datetime = _timestamp()


class SurveyInstrument(SQLModel, table=True):
    """A survey instrument as it was registered: responses are scored against this exact body."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    title: str = Field(max_length=200)
    digest: str = Field(max_length=64)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _timestamp()


class SurveyResponse(SQLModel, table=True):
    """One respondent's answers to one instrument in one wave; `answers` holds answered items."""

    __table_args__ = (UniqueConstraint("program_id", "instrument", "wave", "respondent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id")
    instrument: str = Field(max_length=100, foreign_key="surveyinstrument.name")
    wave: str = Field(max_length=50)
    school_id: int = Field(foreign_key="school.id", index=True)
    respondent_id: str = Field(max_length=100)
    role: str = Field(max_length=50)
    administered_on: dt.date
    answers: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    imported_at: dt.datetime = _timestamp()


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, counted against the e-mail typed and the client address it came from.

    Both are stored as SHA-256 digests, not in clear (a known e-mail or address can still be
    checked against them). Rows older than the sign-in window are deleted as new ones arrive.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(max_length=64)
    address_key: str = Field(max_length=64)
    at: dt.datetime = _timestamp(index=True)

    __table_args__ = (
        Index("ix_signinfailure_account_key_at", "account_key", "at"),
        Index("ix_signinfailure_address_key_at", "address_key", "at"),
    )
