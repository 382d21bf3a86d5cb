"""Small factories for the API tests: people who sign in, organisations, and cycle steps.

People and organisations are made directly through the service layer (fast, and not what
these tests are about); everything a test asserts on goes through HTTP.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from factories import action_timeline, impact_assessment, purpose_map, theory_of_action
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

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

PASSWORD = "correct horse battery staple"
CONDITION = "vision-and-strategy"
NEXT_CONDITION = "shared-influence"


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; every test person shares one password, so hash it once.
    return hash_password(PASSWORD)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Api:
    """The app under test and the database it runs on."""

    client: TestClient
    db: Engine


@dataclass(frozen=True)
class User:
    """A signed-in person: calls made through it carry their bearer token."""

    id: int
    email: str
    name: str
    token: str
    client: TestClient = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.client.post(url, headers=self.headers, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.client.put(url, headers=self.headers, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.client.delete(url, headers=self.headers, **kwargs)


@dataclass(frozen=True)
class Org:
    """A program with one school and one team in it."""

    program_id: int
    school_id: int
    team_id: int
    team_name: str


def new_person(
    db: Engine, *, site_admin: bool = False, with_password: bool = True
) -> tuple[int, str, str]:
    """A person straight in the database: (id, e-mail, name)."""
    email = f"{unique('person')}@example.org"
    name = unique("Person")
    with unit_of_work(db) as session:
        person = create_person(
            session=session,
            email=email,
            name=name,
            password_hash=_password_hash() if with_password else None,
            is_site_admin=site_admin,
        )
        return person.id or 0, email, name


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    return client.post("/api/auth/token", data={"username": email, "password": password})


def new_user(api: Api, *, site_admin: bool = False) -> User:
    """A new person with an API token issued directly.

    Signing in through POST /api/auth/token is tested in test_api_auth; doing it for
    every user would spend most of the suite verifying argon2 hashes.
    """
    person_id, email, name = new_person(api.db, site_admin=site_admin)
    with unit_of_work(api.db) as session:
        token = issue_token(
            session=session, person_id=person_id, kind="api", ttl=dt.timedelta(hours=1)
        )
    return User(person_id, email, name, token, api.client)


def new_org(db: Engine) -> Org:
    with unit_of_work(db) as session:
        program = create_program(session=session, name=unique("Program"))
        school = add_school(
            session=session, program_id=program.id or 0, name=unique("School"), code=unique("S")
        )
        team = add_team(session=session, school_id=school.id or 0, name=unique("Team"))
        return Org(program.id or 0, school.id or 0, team.id or 0, team.name)


def new_team_in(db: Engine, school_id: int) -> tuple[int, str]:
    """Another team in an existing school: (id, name)."""
    with unit_of_work(db) as session:
        team = add_team(session=session, school_id=school_id, name=unique("Team"))
        return team.id or 0, team.name


def join_team(db: Engine, team_id: int, person_id: int, role: str = "member") -> None:
    with unit_of_work(db) as session:
        add_to_team(session=session, team_id=team_id, person_id=person_id, role=role)


def make_program_admin(db: Engine, program_id: int, person_id: int) -> None:
    with unit_of_work(db) as session:
        add_program_admin(session=session, program_id=program_id, person_id=person_id)


def site_admin(api: Api) -> User:
    return new_user(api, site_admin=True)


def program_admin(api: Api, program_id: int) -> User:
    user = new_user(api)
    make_program_admin(api.db, program_id, user.id)
    return user


def member_of(api: Api, team_id: int) -> User:
    user = new_user(api)
    join_team(api.db, team_id, user.id, "member")
    return user


def coach_of(api: Api, team_id: int) -> User:
    user = new_user(api)
    join_team(api.db, team_id, user.id, "coach")
    return user


# Cycle steps, through the API. Each asserts its own success so a test reads as the story.


def start_cycle(user: User, team_id: int, condition: str = CONDITION) -> dict[str, Any]:
    response = user.post(
        f"/api/teams/{team_id}/cycles", json={"condition": condition, "reason": "Greatest need"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def put_artifact(user: User, cycle_id: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    response = user.put(f"/api/cycles/{cycle_id}/artifacts/{kind}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def add_record(user: User, cycle_id: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    response = user.post(f"/api/cycles/{cycle_id}/records/{kind}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def fire(user: User, cycle_id: int, trigger: str, **body: Any) -> Response:
    return user.post(f"/api/cycles/{cycle_id}/triggers/{trigger}", json=body)


def fired(user: User, cycle_id: int, trigger: str, **body: Any) -> dict[str, Any]:
    response = fire(user, cycle_id, trigger, **body)
    assert response.status_code == 200, response.text
    return response.json()


def data_collection(on: str, source: str = "feedback") -> dict[str, Any]:
    return {"collected_on": on, "source": source, "participants": "12 staff", "summary": "Ok."}


def decision(choice: str, next_condition: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"choice": choice, "rationale": "The review says so."}
    if next_condition is not None:
        body["next_condition"] = next_condition
    return body


def walk_to_decide(user: User, cycle_id: int) -> dict[str, Any]:
    """Write every artifact and fire every trigger from `why` to `decide`."""
    put_artifact(user, cycle_id, "theory_of_action", theory_of_action())
    fired(user, cycle_id, "start_planning")
    put_artifact(user, cycle_id, "purpose_map", purpose_map())
    put_artifact(user, cycle_id, "action_timeline", action_timeline())
    launched = fired(user, cycle_id, "launch_test")
    add_record(user, cycle_id, "data_collection", data_collection(launched["launched_on"]))
    fired(user, cycle_id, "start_review")
    put_artifact(user, cycle_id, "impact_assessment", impact_assessment())
    return fired(user, cycle_id, "conclude_review")


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def assert_refused_without_data(response: Response, *secrets: str) -> None:
    """A refusal carries a one-line `detail` and nothing the caller may not see."""
    assert set(response.json()) == {"detail"}
    assert isinstance(response.json()["detail"], str)
    for secret in secrets:
        assert secret not in response.text
