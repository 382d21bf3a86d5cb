"""People, teams and signed-in browsers for the page tests; each test makes its own."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import select

from service.instances import start_cycle
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.security import hash_password, issue_token
from service.store.database import unit_of_work
from service.store.models import Person
from service.web.pages import cookies

PASSWORD = "a long test password"
ON_BOTH_DATABASES = pytest.mark.parametrize(
    "web_db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""`pytestmark = ON_BOTH_DATABASES` serves a module's pages from SQLite, then PostgreSQL."""
_PASSWORD_HASH = hash_password(PASSWORD)


@dataclass(frozen=True)
class TeamIds:
    program_id: int
    team_id: int


def new_team(db: Engine, name: str = "Maple team") -> TeamIds:
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Page test program")
        school = add_school(
            session=session,
            program_id=program.id or 0,
            name="Maple Middle School",
            code=uuid.uuid4().hex[:8],
        )
        team = add_team(session=session, school_id=school.id or 0, name=name)
        return TeamIds(program.id or 0, team.id or 0)


def new_cycle(db: Engine, team_id: int, condition: str = "shared-influence") -> int:
    with unit_of_work(db) as session:
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition=condition,
            reason="greatest_need: set up by the test",
            actor_id=None,
        )
        return cycle.id or 0


def new_person(
    db: Engine,
    *,
    name: str = "Ana Reyes",
    member_of: tuple[int, ...] = (),
    coach_of: tuple[int, ...] = (),
    admin_of: tuple[int, ...] = (),
) -> str:
    """A person who can sign in with PASSWORD; returns their e-mail."""
    email = f"{uuid.uuid4().hex[:12]}@school.example"
    with unit_of_work(db) as session:
        person = create_person(
            session=session, email=email, name=name, password_hash=_PASSWORD_HASH
        )
        person_id = person.id or 0
        for team_id in member_of:
            add_to_team(session=session, team_id=team_id, person_id=person_id, role="member")
        for team_id in coach_of:
            add_to_team(session=session, team_id=team_id, person_id=person_id, role="coach")
        for program_id in admin_of:
            add_program_admin(session=session, program_id=program_id, person_id=person_id)
    return email


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    """Sign in through the form, as a browser does; returns the response to the POST."""
    form = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": form.context["csrf_token"]},
        follow_redirects=False,
    )


def signed_in(client: TestClient, email: str) -> TestClient:
    response = sign_in(client, email)
    assert response.status_code == 303, response.text
    assert client.cookies.get(cookies.SESSION)
    return client


def browsing_as(client: TestClient, db: Engine, email: str) -> TestClient:
    """The browser with a page session for `email`, skipping the form's slow password check."""
    with unit_of_work(db) as session:
        person_id = session.exec(select(Person.id).where(Person.email == email)).one()
        token = issue_token(
            session=session, person_id=person_id or 0, kind="session", ttl=dt.timedelta(hours=1)
        )
    client.cookies.set(cookies.SESSION, token)
    return client


def form_token(client: TestClient, team_id: int) -> str:
    """The CSRF token the team page's forms carry for this browser's session."""
    return client.get(f"/teams/{team_id}").context["csrf_token"]
