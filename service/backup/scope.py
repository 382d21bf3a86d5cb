"""Which rows of each table belong in a program's backup.

Tables fall in three groups. A program *owns* its schools, teams, cycles and everything hung
off them. Some tables hold rows programs *share* (people, pinned definitions, survey
instruments): a backup takes exactly the shared rows its owned rows refer to, found through the
foreign keys, so a new reference to a person is covered without a change here. The rest are
*left out*, each with its reason; a test checks that every table is in one group.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Table, or_, select, union
from sqlmodel import SQLModel, col

from service.store.models import (
    ArtifactRevision,
    CheckIn,
    Comment,
    Enrolment,
    HistoryEvent,
    Person,
    Program,
    ProgramAdmin,
    School,
    SharedCycle,
    SignOff,
    StoredDefinition,
    SurveyInstrument,
    SurveyResponse,
    Team,
    TeamMembership,
    WorkflowInstance,
)

SHARED = frozenset(m.__tablename__ for m in (Person, StoredDefinition, SurveyInstrument))
LEFT_OUT = {
    "accesstoken": "access tokens and page sessions are credentials, not records",
    "signinfailure": "failed sign-ins are the running site's rate limiting, not records",
}


@dataclass(frozen=True)
class TableScope:
    """One table of the backup and the condition its rows meet."""

    table: Table
    where: ColumnElement[bool]

    def rows(self) -> Select:
        return select(self.table).where(self.where).order_by(*self.table.primary_key.columns)


def _owned(program_id: int) -> dict[str, ColumnElement[bool]]:
    """The rows a program owns, table by table."""
    schools = select(School.id).where(School.program_id == program_id)
    teams = select(Team.id).where(col(Team.school_id).in_(schools))
    instances = select(WorkflowInstance.id).where(
        or_(col(WorkflowInstance.team_id).in_(teams), col(WorkflowInstance.school_id).in_(schools))
    )
    revisions = select(ArtifactRevision.id).where(col(ArtifactRevision.instance_id).in_(instances))
    return {
        Program.__tablename__: col(Program.id) == program_id,
        ProgramAdmin.__tablename__: col(ProgramAdmin.program_id) == program_id,
        School.__tablename__: col(School.program_id) == program_id,
        Enrolment.__tablename__: col(Enrolment.school_id).in_(schools),
        Team.__tablename__: col(Team.school_id).in_(schools),
        TeamMembership.__tablename__: col(TeamMembership.team_id).in_(teams),
        CheckIn.__tablename__: col(CheckIn.team_id).in_(teams),
        WorkflowInstance.__tablename__: col(WorkflowInstance.id).in_(instances),
        ArtifactRevision.__tablename__: col(ArtifactRevision.id).in_(revisions),
        HistoryEvent.__tablename__: col(HistoryEvent.instance_id).in_(instances),
        Comment.__tablename__: col(Comment.revision_id).in_(revisions),
        SignOff.__tablename__: col(SignOff.revision_id).in_(revisions),
        SharedCycle.__tablename__: col(SharedCycle.instance_id).in_(instances),
        SurveyResponse.__tablename__: col(SurveyResponse.program_id) == program_id,
    }


def _referenced(shared: Table, owned: dict[str, ColumnElement[bool]]) -> ColumnElement[bool]:
    """The shared table's rows that owned rows point at through a foreign key."""
    tables = SQLModel.metadata.tables
    by_column: dict[str, list[Select]] = {}
    for name, where in owned.items():
        for key in tables[name].foreign_keys:
            if key.column.table is shared:
                by_column.setdefault(key.column.name, []).append(
                    select(key.parent).where(where, key.parent.isnot(None))
                )
    assert by_column, f"no owned table refers to {shared.name}; it cannot be shared"
    return or_(*(shared.c[c].in_(union(*refs)) for c, refs in by_column.items()))


def program_scope(program_id: int) -> Iterator[TableScope]:
    """Every table of a program's backup, in an order its rows can be inserted in."""
    owned = _owned(program_id)
    for table in SQLModel.metadata.sorted_tables:
        if table.name in owned:
            yield TableScope(table, owned[table.name])
        elif table.name in SHARED:
            yield TableScope(table, _referenced(table, owned))
        elif table.name not in LEFT_OUT:
            # Never let a new table drop out of backups unnoticed.
            raise RuntimeError(f"table {table.name} has no place in service/backup/scope.py")
