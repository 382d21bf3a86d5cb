"""Every migration carries real data forward, and steps back without losing what both sides hold.

The revisions are read from Alembic's script directory, so a new migration is covered as soon as
it exists. Rows are written with SQLAlchemy Core against the schema as it stood at each revision
(reflected from the database), never through today's models; a table without sample rows below
fails the tests until someone adds some.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from service.backup.sequences import advance_id_sequences
from service.catalog import get_catalog
from service.feedback import program_settings
from service.instances import fire_trigger, instance_view
from service.settings import get_settings
from service.store.database import get_engine, unit_of_work
from service.store.migrate import alembic_config, downgrade, upgrade
from service.surveys.instruments import load_instrument_file
from service.versioning import replay_matches

Rows = dict[str, list[dict[str, Any]]]

SCRIPTS = ScriptDirectory.from_config(alembic_config("sqlite://"))
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]
HEAD = SCRIPTS.get_current_head()
EARLIER = [revision for revision in REVISIONS if revision != HEAD]
STEPS = [(SCRIPTS.get_revision(r).down_revision, r) for r in REVISIONS[1:]]

T0 = dt.datetime(2025, 9, 1, 8, 30, tzinfo=dt.UTC)
CYCLE_ID = 1


def _at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def sample_rows() -> Rows:
    """One small program as today's code would write it: a cycle in `why`, with feedback.

    Columns a revision does not have yet are left out when rows are written at that revision.
    """
    definition = get_catalog().definition("vision-and-strategy")
    instrument = load_instrument_file(
        get_settings().content_dir / "instruments" / "educator-efficacy.yaml"
    )
    theory = {
        "goal": "Staff agree the three priorities that matter most this year.",
        "problem_of_practice": "Priorities change every term.",
        "staff_evidence": "Interviews with twelve staff.",
        "barrier": "No shared place where priorities are written down.",
        "approach": "A one-page plan reviewed at each staff meeting.",
        "statement": "If we keep one page of priorities, then staff will pull together.",
    }
    return {
        "person": [
            _person(1, "lead@school.example", "Team lead"),
            _person(2, "coach@school.example", "Coach"),
        ],
        "program": [
            {
                "id": 1,
                "name": "Upgrade program",
                "created_at": T0,
                "stall_days": 30,
                "signoff_triggers": ["start_planning"],
            }
        ],
        "storeddefinition": [
            {
                "id": 1,
                "name": definition.name,
                "version": definition.version,
                "digest": definition.digest,
                "body": definition.body(),
                "created_at": T0,
            }
        ],
        "programadmin": [{"program_id": 1, "person_id": 2, "created_at": T0}],
        "school": [
            {"id": 1, "program_id": 1, "name": "Alder School", "code": "A1", "created_at": T0}
        ],
        "team": [{"id": 1, "school_id": 1, "name": "Alder team", "created_at": T0}],
        "teammembership": [
            {"id": 1, "team_id": 1, "person_id": 1, "role": "member", "created_at": T0},
            {"id": 2, "team_id": 1, "person_id": 2, "role": "coach", "created_at": T0},
        ],
        "workflowinstance": [
            {
                "id": CYCLE_ID,
                "definition_id": 1,
                "kind": "cycle",
                "workflow": definition.name,
                "team_id": 1,
                "school_id": None,
                "condition": definition.condition,
                "state": "why",
                "iteration": 1,
                "launched_on": None,
                "version": 1,
                "entered_at": _at(1),
                "created_at": _at(1),
            }
        ],
        "artifactrevision": [
            {
                "id": 1,
                "instance_id": CYCLE_ID,
                "iteration": 1,
                "kind": "theory_of_action",
                "item": 1,
                "revision": 1,
                "body": theory,
                "author_id": 1,
                "created_at": _at(2),
            }
        ],
        "historyevent": [
            {
                "id": 1,
                "instance_id": CYCLE_ID,
                "seq": 1,
                "at": _at(1),
                "actor_id": 1,
                "trigger": "start",
                "from_state": None,
                "to_state": "why",
                "iteration": 1,
                "reason": "Greatest need",
                "details": {"definition_version": definition.version},
            }
        ],
        "accesstoken": [
            {
                "id": 1,
                "person_id": 1,
                "kind": "session",
                "token_hash": "ab" * 32,
                "created_at": _at(3),
                "expires_at": _at(15),
                "revoked_at": None,
            }
        ],
        "signinfailure": [
            {"id": 1, "account_key": "cd" * 32, "address_key": "ef" * 32, "at": _at(8)}
        ],
        "checkin": [
            {
                "id": 1,
                "team_id": 1,
                "author_id": 2,
                "held_on": dt.date(2025, 9, 3),
                "mode": "virtual",
                "notes": "Talked through the theory of action.",
                "next_steps": "Name the staff who will test it.",
                "attendees": ["Principal", "Team lead"],
                "created_at": _at(50),
            }
        ],
        "enrolment": [
            {
                "id": 1,
                "school_id": 1,
                "cohort": "2025 cohort",
                "started_on": dt.date(2025, 8, 15),
                "created_at": T0,
            }
        ],
        "comment": [
            {
                "id": 1,
                "revision_id": 1,
                "parent_id": None,
                "author_id": 2,
                "body": "Which staff meetings?",
                "created_at": _at(4),
            },
            {
                "id": 2,
                "revision_id": 1,
                "parent_id": 1,
                "author_id": 1,
                "body": "The Monday ones.",
                "created_at": _at(5),
            },
        ],
        "signoff": [
            {
                "id": 1,
                "revision_id": 1,
                "trigger": "start_planning",
                "coach_id": 2,
                "created_at": _at(6),
            }
        ],
        "sharedcycle": [{"id": 1, "instance_id": CYCLE_ID, "shared_by": 1, "created_at": _at(7)}],
        "surveyinstrument": [
            {
                "id": 1,
                "name": instrument.name,
                "title": instrument.title,
                "digest": instrument.digest(),
                "body": instrument.body(),
                "created_at": T0,
            }
        ],
        "surveyresponse": [
            {
                "id": 1,
                "program_id": 1,
                "instrument": instrument.name,
                "wave": "2025-26",
                "school_id": 1,
                "respondent_id": "R-001",
                "role": "teacher",
                "administered_on": dt.date(2025, 9, 10),
                "answers": {item.id: 4 for item in instrument.items},
                "imported_at": _at(240),
            }
        ],
    }


def _person(person_id: int, email: str, name: str) -> dict[str, Any]:
    return {
        "id": person_id,
        "email": email,
        "name": name,
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        "is_site_admin": False,
        "created_at": T0,
    }


def _schema(engine: Engine) -> MetaData:
    """The tables as the database holds them now (not as today's models describe them)."""
    schema = MetaData()
    schema.reflect(engine)
    return schema


def write_sample(url: str) -> Rows:
    """Insert the sample rows the database's current schema can hold; returns what was written."""
    engine = create_engine(url)
    schema = _schema(engine)
    data = sample_rows()
    missing = sorted(set(schema.tables) - set(data) - {"alembic_version"})
    assert not missing, f"add sample rows for {missing} to sample_rows()"
    written: Rows = {}
    with engine.begin() as connection:
        for table in schema.sorted_tables:
            if table.name not in data:
                continue
            rows = [{k: v for k, v in row.items() if k in table.c} for row in data[table.name]]
            connection.execute(insert(table), rows)
            written[table.name] = rows
        advance_id_sequences(connection, schema.sorted_tables)
    engine.dispose()
    return written


def _comparable(value: Any) -> Any:
    # SQLite hands back naive UTC datetimes; PostgreSQL, aware ones in the session's zone.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value


def assert_rows_kept(url: str, written: Rows) -> Rows:
    """Every written row is still there, with the same value in every column that still exists.

    Returns the part of `written` the schema still has room for.
    """
    engine = create_engine(url)
    schema = _schema(engine)
    kept: Rows = {}
    with engine.connect() as connection:
        for name, rows in written.items():
            if name not in schema.tables:
                continue
            table = schema.tables[name]
            kept[name] = [{c: v for c, v in row.items() if c in table.c} for row in rows]
            stored = connection.execute(select(table).order_by(*table.primary_key)).mappings()
            assert [{c: _comparable(r[c]) for c in kept[name][0]} for r in stored] == [
                {c: _comparable(v) for c, v in row.items()} for row in kept[name]
            ], name
    engine.dispose()
    return kept


def assert_app_works(url: str) -> None:
    """The app reads the migrated cycle, its history replays, and a trigger fires on it."""
    db = get_engine(url)
    with unit_of_work(db) as session:
        assert replay_matches(session=session, instance_id=CYCLE_ID)
        _, view = instance_view(session=session, instance_id=CYCLE_ID)
        assert view.state == "why"
        fired = fire_trigger(
            session=session, instance_id=CYCLE_ID, trigger="start_planning", actor_id=1
        )
        assert fired.instance.state == "how"
        assert fired.event.seq == 2
    with unit_of_work(db, write=False) as session:
        assert replay_matches(session=session, instance_id=CYCLE_ID)


def assert_history_is_append_only(url: str) -> None:
    engine = create_engine(url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE historyevent SET reason = 'rewritten'"))
    engine.dispose()


def assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_there_are_earlier_revisions_to_upgrade_from() -> None:
    assert len(REVISIONS) >= 2
    assert REVISIONS[0] == SCRIPTS.get_base()


def test_an_empty_database_upgrades_to_the_models_schema(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert_schema_matches_models(empty_database_url)
    write_sample(empty_database_url)
    assert_history_is_append_only(empty_database_url)
    assert_app_works(empty_database_url)


@pytest.mark.parametrize("revision", EARLIER)
def test_data_written_at_an_earlier_revision_survives_the_upgrade_to_head(
    empty_database_url: str, revision: str
) -> None:
    upgrade(empty_database_url, revision)
    written = write_sample(empty_database_url)
    upgrade(empty_database_url)
    assert_rows_kept(empty_database_url, written)
    assert_schema_matches_models(empty_database_url)
    assert_app_works(empty_database_url)
    with unit_of_work(get_engine(empty_database_url), write=False) as session:
        program = program_settings(session=session, program_id=1)
        # Settings the program could not hold yet take their defaults.
        assert program.stall_days == written["program"][0].get("stall_days", 21)
        assert program.signoff_triggers == written["program"][0].get("signoff_triggers", [])


def test_an_empty_database_downgrades_to_nothing_and_upgrades_again(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    engine = create_engine(empty_database_url)
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
    upgrade(empty_database_url)
    assert_schema_matches_models(empty_database_url)
    write_sample(empty_database_url)
    assert_history_is_append_only(empty_database_url)


@pytest.mark.parametrize(("previous", "revision"), STEPS, ids=[r for _, r in STEPS])
def test_one_step_down_and_up_again_keeps_the_data_both_revisions_hold(
    empty_database_url: str, previous: str, revision: str
) -> None:
    upgrade(empty_database_url, revision)
    written = write_sample(empty_database_url)
    downgrade(empty_database_url, previous)
    kept = assert_rows_kept(empty_database_url, written)
    upgrade(empty_database_url)
    assert_rows_kept(empty_database_url, kept)
    assert_schema_matches_models(empty_database_url)
    assert_history_is_append_only(empty_database_url)
    assert_app_works(empty_database_url)
