"""Who opens a program's pages in their tests: its admin, and the people it must refuse."""

from __future__ import annotations

from fastapi.testclient import TestClient
from page_factories import browsing_as, new_person, new_team
from program_factories import SmallProgram
from sqlalchemy import Engine
from sqlmodel import select

from service.store.database import unit_of_work
from service.store.models import Person

STRANGERS = ("member", "coach", "other program's admin")
"""People who work near a program without running it: its pages answer them 404."""


def as_program_admin(client: TestClient, db: Engine, program: SmallProgram, path: str) -> str:
    """Browse as the program's admin; returns the CSRF token of the forms on the page at `path`."""
    browsing_as(client, db, new_person(db, name="Pat Admin", admin_of=(program.program_id,)))
    return str(client.get(path).context["csrf_token"])


def as_site_admin(client: TestClient, db: Engine, path: str) -> str:
    """Browse as a site admin, who runs no program; returns the CSRF token of the page at `path`."""
    email = new_person(db, name="Sam Site")
    with unit_of_work(db) as session:
        session.exec(select(Person).where(Person.email == email)).one().is_site_admin = True
    browsing_as(client, db, email)
    return str(client.get(path).context["csrf_token"])


def as_stranger(client: TestClient, db: Engine, program: SmallProgram, who: str) -> str:
    """Browse as one of the STRANGERS; returns the CSRF token of a page they may open."""
    elsewhere = new_team(db)
    team_id = program.teams["oak"]
    email = {
        "member": lambda: new_person(db, member_of=(team_id,)),
        "coach": lambda: new_person(db, coach_of=(team_id,)),
        "other program's admin": lambda: new_person(db, admin_of=(elsewhere.program_id,)),
    }[who]()
    browsing_as(client, db, email)
    own_team = elsewhere.team_id if who == "other program's admin" else team_id
    return str(client.get(f"/teams/{own_team}").context["csrf_token"])
