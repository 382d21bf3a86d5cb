"""The `improve` command line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine.errors import EngineError
from service.backup_cli import export_command, import_command
from service.catalog import get_catalog
from service.settings import enter_development_mode, get_settings
from service.store import migrate
from service.store.database import get_engine, unit_of_work
from service.survey_cli import survey_app

app = typer.Typer(help="Run improvement cycles for school leadership teams.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
workflows_app = typer.Typer(help="Workflow definitions.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(workflows_app, name="workflows")
app.add_typer(user_app, name="user")
app.add_typer(survey_app, name="survey")
app.command("export")(export_command)
app.command("import")(import_command)
console = Console()


def _fail(message: str) -> None:
    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the configured database's schema up to date."""
    url = get_settings().database_url
    migrate.upgrade(url)
    console.print(f"Database at [bold]{url}[/] is up to date.")


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve it afterwards")
    ] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Create the demo state program (24 schools), summarise it, then serve it."""
    from service.demo import DEMO_PASSWORD, seed_demo
    from service.demo_summary import demo_accounts

    url = get_settings().database_url
    migrate.upgrade(url)
    with unit_of_work(get_engine(url)) as session:
        summary = seed_demo(session)
        accounts = demo_accounts(session)
    verb = "Created" if summary.created else "Found"
    console.print(
        f"{verb} the demo program (id {summary.program_id}) in {url}: {summary.schools} schools."
    )
    for title, counts in (
        ("Cycles by state", summary.states),
        ("Cycles by condition", summary.conditions),
        ("Schools by program phase", summary.phases),
    ):
        table = Table(title=title)
        table.add_column("")
        table.add_column("count", justify="right")
        for key, value in sorted(counts.items()):
            table.add_row(key, str(value))
        console.print(table)
    table = Table(title=f"Demo accounts (password for all: {DEMO_PASSWORD})")
    table.add_column("role")
    table.add_column("e-mail")
    for role, email in accounts:
        table.add_row(role, email)
    console.print(table)
    if serve_after:
        console.print(f"Sign in at http://{host}:{port}/sign-in  (API docs: /docs). Ctrl-C stops.")
        enter_development_mode()
        _serve(host, port)


def _serve(host: str, port: int, workers: int = 1) -> None:
    from service.web.serving import run

    run(host=host, port=port, workers=workers)


def _workers_for(database_url: str, requested: int) -> int:
    """The worker processes to run: as requested, except one on SQLite (see `serve`)."""
    if requested > 1 and database_url.startswith("sqlite"):
        Console(stderr=True).print(
            f"[bold yellow]note:[/] SQLite takes one writer at a time, so serving with 1 worker, "
            f"not {requested}. Use PostgreSQL (IMPROVE_DATABASE_URL) for several.",
            highlight=False,
        )
        return 1
    return requested


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes, for PostgreSQL. SQLite always runs 1: several stay correct "
            "(each write opens BEGIN IMMEDIATE and waits out the others through busy_timeout) "
            "but gain nothing, since its writes take turns, and they wait in SQLite's busy "
            "handler instead of one process's queue, which lengthens the slowest requests",
        ),
    ] = 1,
) -> None:
    """Serve the web app and API on the configured database (migrating it first)."""
    from service.web.serving import settings_or_exit

    url = get_settings().database_url
    workers = _workers_for(url, workers)
    settings_or_exit(workers)  # before migrating, so a refused start changes nothing
    migrate.upgrade(url)
    _serve(host, port, workers)


@user_app.command("create")
def user_create(
    email: str,
    name: Annotated[str, typer.Option(help="The person's full name")],
    site_admin: Annotated[bool, typer.Option("--site-admin", help="Give full rights")] = False,
) -> None:
    """Create an account; the password is read from standard input (one line)."""
    from service.organisation import create_person
    from service.security import hash_password

    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        _fail("the password (read from standard input) must be at least 10 characters")
        return
    try:
        with unit_of_work(get_engine(get_settings().database_url)) as session:
            person = create_person(
                session=session,
                email=email,
                name=name,
                password_hash=hash_password(password),
                is_site_admin=site_admin,
            )
    except EngineError as exc:
        _fail(str(exc))
        return
    role = "site admin" if site_admin else "user"
    console.print(f"Created {role} {person.email} (id {person.id}).")


@workflows_app.command("check")
def workflows_check() -> None:
    """Load and validate the content pack and every definition; exit 1 naming any problem."""
    try:
        catalog = get_catalog()
    except EngineError as exc:
        _fail(str(exc))
        return
    table = Table(title=f"Workflow definitions ({get_settings().workflows_dir})")
    for column in ("name", "version", "kind", "states", "triggers", "digest"):
        table.add_column(column)
    for d in catalog.definitions.values():
        table.add_row(
            d.name, str(d.version), d.kind, str(len(d.states)), str(len(d.triggers)), d.digest[:12]
        )
    console.print(table)
    console.print(
        f"Content pack {catalog.content.root}: {len(catalog.content.conditions)} conditions, "
        f"{len(catalog.content.artifacts)} artifact kinds. All valid."
    )


@workflows_app.command("show")
def workflows_show(slug: str) -> None:
    """A definition's states, triggers and gates, and its diagram as Mermaid text."""
    try:
        workflow = get_catalog().current_workflow(slug)
    except EngineError as exc:
        _fail(str(exc))
        return
    d = workflow.definition
    console.print(f"[bold]{d.title}[/] ({d.name} v{d.version}, {d.kind}), starts in {d.initial!r}")
    states = Table(title="States")
    for column in ("state", "stage title", "requires", "final"):
        states.add_column(column)
    for s in d.states:
        states.add_row(
            s.name, workflow.stage_text(s.name)[0], ", ".join(s.requires), "yes" if s.final else ""
        )
    console.print(states)
    transitions = Table(title="Triggers")
    for column in ("trigger", "from", "to", "gates"):
        transitions.add_column(column)
    for t in d.transitions:
        gates = ", ".join(g.label() for g in t.gates) + (" (overridable)" if t.overridable else "")
        transitions.add_row(t.trigger, t.source, t.dest, gates)
    console.print(transitions)
    console.print("Mermaid diagram:")
    print(workflow.mermaid())


@workflows_app.command("migrate")
def workflows_migrate(
    slug: str,
    mapping: Annotated[list[str], typer.Option("--map", help="OLD=NEW, once per old state")],
) -> None:
    """Move cycles on older versions of SLUG to its current version, mapping every state."""
    from engine.errors import MigrationRefused
    from service.versioning import migrate_instances

    try:
        state_map = dict(pair.split("=", 1) for pair in mapping)
    except ValueError:
        _fail("each --map is OLD=NEW")
        return
    try:
        with unit_of_work(get_engine(get_settings().database_url)) as session:
            moved = migrate_instances(
                session=session, workflow_name=slug, state_map=state_map, actor_id=None
            )
    except (MigrationRefused, EngineError) as exc:
        _fail(str(exc))
        return
    console.print(f"Migrated {len(moved)} cycle(s) of {slug}.")
    for m in moved:
        console.print(f"  cycle {m.instance_id}: {m.from_state} -> {m.to_state}")


@app.command()
def status(team: Annotated[str, typer.Argument(help="The team's id or exact name")]) -> None:
    """A team's current stage, what it still owes, and which steps are blocked and why."""
    from service.instances import instance_view
    from service.organisation import find_team
    from service.queries import active_cycle

    try:
        with unit_of_work(get_engine(get_settings().database_url), write=False) as session:
            found = find_team(session=session, key=team)
            cycle = active_cycle(session=session, team_id=found.id or 0)
            if cycle is None:
                console.print(f"{found.name} has not started a cycle yet.")
                return
            instance, view = instance_view(session=session, instance_id=cycle.id or 0)
    except EngineError as exc:
        _fail(str(exc))
        return
    console.print(f"[bold]{found.name}[/]: {instance.condition}, iteration {view.iteration}")
    console.print(f"Stage [bold]{view.state}[/]: {view.title}. Goal: {view.goal}")
    for artifact in view.required:
        gaps = f" (missing: {', '.join(artifact.missing_fields)})" if artifact.missing else ""
        console.print(f"  owes {artifact.kind}: {artifact.status}{gaps}")
    for trigger in view.available_triggers:
        mark = "[green]ready[/]" if trigger.allowed else "[yellow]blocked[/]"
        console.print(f"  {trigger.name} -> {trigger.dest}: {mark}")
        for unmet in trigger.unmet:
            console.print(f"      {unmet.reason}", highlight=False)


def main() -> None:  # pragma: no cover - console entry for `python -m service.cli`
    app(sys.argv[1:])
