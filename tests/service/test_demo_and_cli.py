"""The demo program and the `improve` command line, end to end on a SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from service.caseload import caseload
from service.catalog import get_catalog
from service.cli import app
from service.demo import DEMO_PASSWORD, seed_demo
from service.demo_summary import NEW_TEAM_EMAIL
from service.enrolment import school_phases
from service.onboarding import latest_onboarding
from service.queries import active_cycle
from service.security import authenticate
from service.settings import get_settings
from service.store.database import get_engine, unit_of_work
from service.store.models import (
    HistoryEvent,
    SurveyResponse,
    Team,
    TeamMembership,
    WorkflowInstance,
)
from service.surveys.outcomes import program_waves
from service.versioning import replay_matches

runner = CliRunner()


@pytest.fixture
def demo_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_demo_covers_every_condition_stage_and_phase_and_is_created_once(
    demo_database: str,
) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Created the demo program" in result.output
    with unit_of_work(get_engine(demo_database)) as session:
        summary = seed_demo(session)
        instance_ids = session.exec(select(WorkflowInstance.id)).all()
        assert all(replay_matches(session=session, instance_id=i) for i in instance_ids)
    assert not summary.created
    assert summary.schools == 24
    assert set(summary.conditions) == set(get_catalog().content.condition_slugs)
    assert set(summary.states) == {"why", "how", "implement", "review", "decide", "closed"}
    assert set(summary.phases) == {"designing", "implementing", "cultivating", "sustaining"}
    with unit_of_work(get_engine(demo_database), write=False) as session:
        phases = school_phases(
            session=session, program_id=summary.program_id, today=dt.date.today()
        )
    assert all(p.cohort and p.started_on for p in phases)
    assert 0 < sum(p.behind for p in phases) < len(phases)


def test_the_demo_raises_every_caseload_flag_and_leaves_some_teams_clear(
    demo_database: str,
) -> None:
    runner.invoke(app, ["demo", "--no-serve"])
    with unit_of_work(get_engine(demo_database), write=False) as session:
        rows = caseload(session=session, team_ids=select(Team.id), today=dt.date.today())
    raised = {flag for row in rows for flag in row.flags}
    assert raised == {"stalled", "overdue", "checkin_due"}
    assert any(not row.flags for row in rows)


def test_the_demo_carries_two_waves_of_both_surveys_around_its_launches(
    demo_database: str,
) -> None:
    runner.invoke(app, ["demo", "--no-serve"])
    with unit_of_work(get_engine(demo_database), write=False) as session:
        first, second = program_waves(session=session, program_id=1)
        given = session.exec(select(SurveyResponse.administered_on).distinct()).all()
        launches = session.exec(
            select(HistoryEvent.at).where(HistoryEvent.trigger == "launch_test")
        ).all()

    assert launches
    assert min(given) < min(launches).date() and max(launches).date() < max(given)
    result = runner.invoke(
        app,
        ["survey", "report", "--program", "1", "--from", first, "--to", second],
    )
    assert result.exit_code == 0, result.output
    assert "Improved in 5 of 7 conditions." in result.output
    assert "Efficacy rose in" in result.output


def test_status_names_the_stage_what_is_owed_and_why_a_step_is_blocked(demo_database: str) -> None:
    runner.invoke(app, ["demo", "--no-serve"])
    result = runner.invoke(app, ["status", "Cedar Hill leadership team"])
    assert result.exit_code == 0, result.output
    assert "Stage implement" in result.output
    assert "owes data_collection: missing" in result.output
    assert "on or after the launch" in result.output


def test_status_of_an_unknown_team_fails_with_a_message(demo_database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["status", "No such team"])
    assert result.exit_code == 1
    assert "not found" in result.output


def test_workflows_check_lists_every_definition() -> None:
    result = runner.invoke(app, ["workflows", "check"])
    assert result.exit_code == 0, result.output
    # Rich wraps at the terminal width, and the summary names the checkout's path.
    assert "All valid." in " ".join(result.output.split())
    assert "program-phases" in result.output


def test_workflows_show_prints_the_gates_and_a_mermaid_diagram() -> None:
    result = runner.invoke(app, ["workflows", "show", "shared-influence"])
    assert result.exit_code == 0, result.output
    assert "people_involved: 3" in result.output
    assert "stateDiagram-v2" in result.output


def test_workflows_show_refuses_an_unknown_slug() -> None:
    result = runner.invoke(app, ["workflows", "show", "nope"])
    assert result.exit_code == 1
    assert "no workflow named 'nope'" in result.output


def test_the_demo_prints_accounts_to_sign_in_with(demo_database: str) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert "admin@demo.example" in result.output
    assert "coach1@demo.example" in result.output
    assert "team01@demo.example" in result.output
    with unit_of_work(get_engine(demo_database)) as session:
        assert authenticate(session=session, email="team01@demo.example", password=DEMO_PASSWORD)


def test_user_create_reads_the_password_from_stdin_and_stores_only_an_argon2_hash(
    demo_database: str,
) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(
        app,
        ["user", "create", "Root@Example.org", "--name", "Root", "--site-admin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with unit_of_work(get_engine(demo_database)) as session:
        person = authenticate(
            session=session, email="root@example.org", password="a long enough password"
        )
        assert person is not None and person.is_site_admin
        assert (person.password_hash or "").startswith("$argon2")


def test_user_create_refuses_a_short_password(demo_database: str) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["user", "create", "a@b.org", "--name", "A"], input="short\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output


def test_the_demo_has_a_new_team_taking_stock_of_its_school(demo_database: str) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])

    assert NEW_TEAM_EMAIL in result.output
    with unit_of_work(get_engine(demo_database), write=False) as session:
        person = authenticate(session=session, email=NEW_TEAM_EMAIL, password=DEMO_PASSWORD)
        assert person is not None
        [team_id] = session.exec(
            select(TeamMembership.team_id).where(TeamMembership.person_id == person.id)
        ).all()
        run = latest_onboarding(session=session, team_id=team_id)
        assert run is not None and run.state == "self_assessment"
        assert active_cycle(session=session, team_id=team_id) is None
