"""A page learns who is asking and what its path names in one short read, as the API does."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from page_factories import browsing_as, new_person
from program_factories import small_program
from sqlalchemy import Engine
from statement_count import transactions_begun

pytestmark = pytest.mark.usefixtures("now")


def test_a_program_page_reads_the_caller_and_its_program_in_one_transaction(
    client: TestClient, web_db: Engine
) -> None:
    program = small_program(web_db)
    browsing_as(client, web_db, new_person(web_db, admin_of=(program.program_id,)))

    with transactions_begun(web_db) as begun:
        page = client.get(f"/programs/{program.program_id}/dashboard")

    assert page.status_code == 200
    # One for the session's owner, their roles and the program's scope; one for the figures.
    assert len(begun) == 2


def test_a_stranger_still_gets_not_found_and_a_signed_out_browser_the_sign_in_page(
    client: TestClient, web_db: Engine
) -> None:
    program, elsewhere = small_program(web_db), small_program(web_db)
    dashboard = f"/programs/{program.program_id}/dashboard"

    assert client.get(dashboard, follow_redirects=False).headers["location"].startswith("/sign-in")
    browsing_as(client, web_db, new_person(web_db, admin_of=(elsewhere.program_id,)))
    assert client.get(dashboard).status_code == 404
    assert client.get("/programs/999999999/dashboard").status_code == 404
