"""`improve export` and `improve import`: a backup reproduces its program exactly, or loads nothing.

The program is the demo (every stage, phase, check-ins, two survey waves) with what the demo does
not make added: a comment thread, a coach's sign-off, a shared cycle and sign-in tokens.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel, col
from typer.testing import CliRunner

from service.backup.export import export_program
from service.backup.format import BackupRefused, encode_line
from service.backup.restore import import_program
from service.backup.scope import LEFT_OUT, SHARED, program_scope
from service.cli import app
from service.demo import seed_demo
from service.feedback import comment, set_signoff_triggers, sign_off
from service.instances import fire_trigger, instance_view
from service.queries import current_revisions
from service.security import authenticate, issue_token
from service.settings import get_settings
from service.sharing import share_cycle
from service.store.database import get_engine, unit_of_work
from service.store.migrate import upgrade
from service.store.models import (
    AccessToken,
    HistoryEvent,
    Person,
    TeamMembership,
    WorkflowInstance,
)
from service.versioning import replay_matches

MakeDatabase = Callable[[str], str]
runner = CliRunner()
KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _enrich(url: str, program_id: int) -> None:
    """Give the demo program what it lacks: feedback, a sign-off, sharing, and tokens."""
    with unit_of_work(get_engine(url)) as session:
        why = _cycle_in(session, "why")
        closed = _cycle_in(session, "closed")
        member, coach = _people_of(session, why.team_id)
        set_signoff_triggers(session=session, program_id=program_id, triggers=["start_planning"])
        (theory,) = current_revisions(
            session=session, instance_id=why.id, iteration=1, kind="theory_of_action"
        )
        parent = None
        for author, body in (
            (coach, "Who will see the one-page plan?"),
            (member, "Every member of staff, on Mondays."),
        ):
            parent = comment(
                session=session,
                instance_id=why.id or 0,
                kind="theory_of_action",
                revision=theory.revision,
                body=body,
                author_id=author,
                parent_id=parent,
            ).id
        sign_off(
            session=session,
            instance_id=why.id or 0,
            kind="theory_of_action",
            revision=theory.revision,
            trigger="start_planning",
            coach_id=coach,
        )
        share_cycle(session=session, instance_id=closed.id or 0, shared_by=member)
        for kind in ("session", "calendar"):
            issue_token(session=session, person_id=member, kind=kind, ttl=dt.timedelta(days=1))


def _cycle_in(session: Any, state: str) -> WorkflowInstance:
    return (
        session.exec(
            select(WorkflowInstance)
            .where(WorkflowInstance.kind == "cycle", WorkflowInstance.state == state)
            .order_by(col(WorkflowInstance.id))
        )
        .scalars()
        .first()
    )


def _people_of(session: Any, team_id: int | None) -> tuple[int, int]:
    """The team's member and its coach."""
    roles = dict(
        session.execute(
            select(TeamMembership.role, TeamMembership.person_id).where(
                TeamMembership.team_id == team_id
            )
        ).all()
    )
    return roles["member"], roles["coach"]


@pytest.fixture(scope="module")
def backups(new_module_database: MakeDatabase, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The rich program's backup from each kind of database, each built once for the module."""
    made: dict[str, Path] = {}

    def backup_from(kind: str) -> Path:
        if kind not in made:
            url = new_module_database(kind)
            upgrade(url)
            with unit_of_work(get_engine(url)) as session:
                program_id = seed_demo(session).program_id
            _enrich(url, program_id)
            made[kind] = tmp_path_factory.mktemp("backup") / f"program-{kind}.jsonl.gz"
            export_program(engine=get_engine(url), program_id=program_id, path=made[kind])
        return made[kind]

    return backup_from


@pytest.fixture(scope="module")
def empty_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated once; SQLite targets are copies of it."""
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def migrated(new_database: MakeDatabase, empty_sqlite_file: Path, tmp_path: Path) -> MakeDatabase:
    """Makes empty databases at this release's schema, to import into."""

    def make(kind: str) -> str:
        if kind == "sqlite":
            copy = tmp_path / f"{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(empty_sqlite_file, copy)
            return f"sqlite:///{copy}"
        url = new_database(kind)
        upgrade(url)
        return url

    return make


def lines_of(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        return [json.loads(line) for line in f]


def without_export_time(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    header, *rest = lines
    return [{k: v for k, v in header.items() if k != "exported_at"}, *rest]


def row_count(url: str) -> int:
    with unit_of_work(get_engine(url), write=False) as session:
        return sum(
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        )


def test_every_table_is_backed_up_or_left_out_for_a_reason() -> None:
    backed_up = {scope.table.name for scope in program_scope(1)}
    assert backed_up | set(LEFT_OUT) == set(SQLModel.metadata.tables)
    assert not backed_up & set(LEFT_OUT)
    assert backed_up >= SHARED


def test_the_backup_holds_every_table_of_the_program_and_no_tokens(backups: Any) -> None:
    header, *rows, end = lines_of(backups("sqlite"))
    counts = {t["table"]: t["rows"] for t in header["tables"]}
    assert header["format"] == "improvement-engine-program-backup"
    assert header["format_version"] == 1
    assert all(n > 0 for n in counts.values()), counts
    assert set(counts).isdisjoint(LEFT_OUT)
    assert end["end"]["rows"] == len(rows) == sum(counts.values())
    people = [r["row"] for r in rows if r["table"] == "person"]
    assert all(p["password_hash"].startswith("$argon2") for p in people)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("sqlite", "sqlite"),
        pytest.param("postgres", "postgres", marks=pytest.mark.postgres),
        pytest.param("sqlite", "postgres", marks=pytest.mark.postgres),
    ],
)
def test_an_imported_backup_exports_exactly_as_the_original_and_the_app_works_on_it(
    backups: Any, migrated: MakeDatabase, tmp_path: Path, source: str, target: str
) -> None:
    original = backups(source)
    url = migrated(target)
    summary = import_program(engine=get_engine(url), path=original)
    again = tmp_path / "again.jsonl"
    export_program(engine=get_engine(url), program_id=summary.program_id, path=again)
    assert without_export_time(lines_of(again)) == without_export_time(lines_of(original))

    with unit_of_work(get_engine(url)) as session:
        assert session.execute(select(func.count()).select_from(AccessToken)).scalar_one() == 0
        ids = session.execute(select(WorkflowInstance.id)).scalars().all()
        assert all(replay_matches(session=session, instance_id=i) for i in ids)
        assert authenticate(session=session, email="team01@demo.example", password="demo-password")
        signed = _cycle_in(session, "why")
        latest = session.execute(select(func.max(HistoryEvent.id))).scalar_one()
        fired = fire_trigger(
            session=session, instance_id=signed.id or 0, trigger="start_planning", actor_id=None
        )
        # A new row takes the next id after the imported ones (PostgreSQL's sequences moved on).
        assert fired.event.id == latest + 1
        _, view = instance_view(session=session, instance_id=signed.id or 0)
        assert view.state == "how"


def test_a_database_with_rows_is_refused_and_left_as_it_was(
    backups: Any, migrated: MakeDatabase
) -> None:
    url = migrated("sqlite")
    with unit_of_work(get_engine(url)) as session:
        session.add(Person(email="already@here.example", name="Already here"))
    with pytest.raises(BackupRefused, match=r"only loaded into an empty database.*person"):
        import_program(engine=get_engine(url), path=backups("sqlite"))
    assert row_count(url) == 1


def test_a_database_behind_this_release_is_told_to_upgrade_before_either_command(
    backups: Any, new_database: MakeDatabase, tmp_path: Path
) -> None:
    url = new_database("sqlite")
    upgrade(url, "0001")
    with pytest.raises(BackupRefused, match="run `improve db upgrade` first"):
        import_program(engine=get_engine(url), path=backups("sqlite"))
    with pytest.raises(BackupRefused, match="run `improve db upgrade` first"):
        export_program(engine=get_engine(url), program_id=1, path=tmp_path / "old.jsonl")
    assert not (tmp_path / "old.jsonl").exists()


def assert_refused_and_nothing_written(url: str, backup: Path, message: str) -> None:
    with pytest.raises(BackupRefused, match=message):
        import_program(engine=get_engine(url), path=backup)
    assert row_count(url) == 0


def _case_name(value: Any) -> str | None:
    """Parametrised cases are named after their function, without the leading underscore."""
    return getattr(value, "__name__", "")[1:] or None


def seal(header: bytes, rows: list[bytes]) -> bytes:
    """A backup of these lines with a right trailer, as if the exporter had written them."""
    body = b"".join(rows)
    end = {"end": {"rows": len(rows), "sha256": hashlib.sha256(body).hexdigest()}}
    return header + body + encode_line(end)


def resealed(change: Callable[[list[dict[str, Any]]], None]) -> Callable[[bytes], bytes]:
    """A damage that applies `change` to the parsed lines and seals them again.

    What it makes is a well-formed backup whose only fault is the change.
    """

    def damage(data: bytes) -> bytes:
        header, *rows, _ = (json.loads(line) for line in data.splitlines())
        change([header, *rows])
        return seal(encode_line(header), [encode_line(r) for r in rows])

    damage.__name__ = change.__name__
    return damage


@resealed
def _older_revision(lines: list[dict[str, Any]]) -> None:
    lines[0]["alembic_revision"] = "0005"


def _last_event(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return next(line["row"] for line in reversed(lines) if line.get("table") == "historyevent")


@resealed
def _unknown_column(lines: list[dict[str, Any]]) -> None:
    _last_event(lines)["mood"] = "happy"


@resealed
def _orphan_row(lines: list[dict[str, Any]]) -> None:
    _last_event(lines)["instance_id"] = 99_999


@resealed
def _miscounted_header(lines: list[dict[str, Any]]) -> None:
    lines[0]["tables"][0]["rows"] += 1


@resealed
def _time_without_zone(lines: list[dict[str, Any]]) -> None:
    _last_event(lines)["at"] = "2026-01-01T10:00:00"


def _truncated_gzip(data: bytes) -> bytes:
    zipped = gzip.compress(data)
    return zipped[: len(zipped) * 2 // 3]


def _cut_before_trailer(data: bytes) -> bytes:
    return data[: data.rindex(b'{"end"')]


def _altered_value(data: bytes) -> bytes:
    return data.replace(b"Alder School", b"Elder School", 1)


def _sealed_line_of_bad_json(data: bytes) -> bytes:
    header, *rows, _ = data.splitlines(keepends=True)
    return seal(header, [b"{not json\n", *rows])


def _not_a_backup(_: bytes) -> bytes:
    return b"school_code,administered_on,respondent_id,role\n"


def _empty(_: bytes) -> bytes:
    return b""


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_older_revision, "written at schema revision 0005"),
        (_unknown_column, r"unknown columns: \['mood'\]"),
        (_orphan_row, "historyevent rows could not be stored"),
        (_miscounted_header, r"person has \d+ rows, the header says \d+"),
        (_time_without_zone, "historyevent.at has no UTC offset"),
        (_truncated_gzip, "cannot be read as a backup"),
        (_cut_before_trailer, "cut short"),
        (_altered_value, "checksum"),
        (_sealed_line_of_bad_json, "line 2 is not valid JSON"),
        (_not_a_backup, "not a program backup"),
        (_empty, "not a program backup"),
    ],
    ids=_case_name,
)
def test_a_bad_backup_is_refused_with_its_fault_and_nothing_is_written(
    backups: Any, migrated: MakeDatabase, tmp_path: Path, damage: Any, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(damage(gzip.decompress(backups("sqlite").read_bytes())))
    assert_refused_and_nothing_written(migrated("sqlite"), bad, message)


@pytest.mark.parametrize("kind", KINDS)
def test_rows_already_inserted_are_rolled_back_when_the_end_is_missing(
    backups: Any, migrated: MakeDatabase, tmp_path: Path, kind: str
) -> None:
    bad = tmp_path / "cut.jsonl"
    bad.write_bytes(_cut_before_trailer(gzip.decompress(backups("sqlite").read_bytes())))
    assert_refused_and_nothing_written(migrated(kind), bad, "cut short")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Points the command line at a database URL."""

    def use(url: str) -> None:
        monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_the_command_line_imports_and_exports_and_refuses_with_a_message(
    backups: Any, migrated: MakeDatabase, tmp_path: Path, configured: Any
) -> None:
    configured(migrated("sqlite"))
    loaded = runner.invoke(app, ["import", str(backups("sqlite"))])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded" in loaded.output

    again = runner.invoke(app, ["import", str(backups("sqlite"))])
    assert again.exit_code == 1
    assert "only loaded into an empty database" in again.output

    out = tmp_path / "program.jsonl"
    written = runner.invoke(app, ["export", "--program", "1", str(out)])
    assert written.exit_code == 0, written.output
    assert out.stat().st_mode & 0o077 == 0, "the backup holds password hashes: owner only"
    refused = runner.invoke(app, ["export", "--program", "1", str(out)])
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    missing = runner.invoke(app, ["export", "--program", "999", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1
    assert "program 999 not found" in missing.output
    assert not (tmp_path / "none.jsonl").exists()
    nowhere = runner.invoke(app, ["export", "--program", "1", str(tmp_path / "no" / "b.jsonl")])
    assert nowhere.exit_code == 1
    assert "cannot write" in nowhere.output


def test_the_export_help_warns_that_password_hashes_are_in_the_file() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    assert "password hashes" in " ".join(result.output.split())
