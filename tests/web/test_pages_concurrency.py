"""Pages under contention: the same button pressed twice at once, and one connection a request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from factories import save, theory_of_action
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from sqlalchemy import Engine, event

from service.queries import history
from service.store.database import unit_of_work
from service.web.app import create_app
from service.web.pages.flash import Flash


def _events(db: Engine, cycle_id: int) -> list[str]:
    with unit_of_work(db, write=False) as session:
        return [e.trigger for e in history(session=session, instance_id=cycle_id)]


def test_two_browsers_firing_the_same_step_at_once_move_the_cycle_once(web_db: Engine) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id, "shared-influence")
    save(web_db, cycle_id, "theory_of_action", theory_of_action())
    before = _events(web_db, cycle_id)
    app = create_app()
    with TestClient(app) as first, TestClient(app) as second:
        browsers = [
            signed_in(first, new_person(web_db, name="Ana Reyes", member_of=(team.team_id,))),
            signed_in(second, new_person(web_db, name="Ben Okafor", member_of=(team.team_id,))),
        ]
        pages = [browser.get(f"/teams/{team.team_id}") for browser in browsers]
        assert len({page.context["cycle"].version for page in pages}) == 1  # the same page
        both_ready = threading.Barrier(len(browsers))

        def press(browser: TestClient, page: Response) -> Response:
            both_ready.wait(timeout=10)
            return browser.post(
                f"/cycles/{cycle_id}/triggers/start_planning",
                data={
                    "csrf_token": page.context["csrf_token"],
                    "expected_version": str(page.context["cycle"].version),
                },
                follow_redirects=False,
            )

        with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
            answers = list(pool.map(press, browsers, pages))

        assert [answer.status_code for answer in answers] == [303, 303]
        flashes: list[Flash] = [
            browser.get(answer.headers["location"]).context["flash"]
            for browser, answer in zip(browsers, answers, strict=True)
        ]

    done = [flash for flash in flashes if flash.kind == "done"]
    refused = [flash for flash in flashes if flash.kind == "refused"]
    assert [flash.message for flash in done] == ["Done: the cycle is now in how."]
    assert [(flash.message, flash.reasons) for flash in refused] == [
        (
            "Start planning was refused.",
            ("Someone moved this cycle meanwhile; check where it stands now.",),
        )
    ]
    assert _events(web_db, cycle_id) == [*before, "start_planning"]


@contextmanager
def most_connections_held(db: Engine) -> Iterator[list[int]]:
    """Yields [most]: the most pooled connections checked out at once inside the block."""
    held, most = [0], [0]

    def checkout(*_: Any) -> None:
        held[0] += 1
        most[0] = max(most[0], held[0])

    def checkin(*_: Any) -> None:
        held[0] -= 1

    event.listen(db.pool, "checkout", checkout)
    event.listen(db.pool, "checkin", checkin)
    try:
        yield most
    finally:
        event.remove(db.pool, "checkout", checkout)
        event.remove(db.pool, "checkin", checkin)


def test_no_page_request_holds_two_connections_at_once(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id, "shared-influence")
    email = new_person(web_db, member_of=(team.team_id,))

    with most_connections_held(web_db) as most:
        signed_in(client, email)
        token = form_token(client, team.team_id)
        saved = client.post(
            f"/cycles/{cycle_id}/artifacts/theory_of_action",
            data={**theory_of_action(), "csrf_token": token},
        )
        refused = client.post(
            f"/cycles/{cycle_id}/artifacts/theory_of_action",
            data={"goal": "Ours.", "expected_version": "0", "csrf_token": token},
        )
        fired = client.post(
            f"/cycles/{cycle_id}/triggers/start_planning", data={"csrf_token": token}
        )
        signed_out = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)

    assert saved.context["flash"].message == "Saved the theory of action."
    assert refused.status_code == 409
    assert fired.context["cycle"].state == "how"
    assert signed_out.status_code == 303
    assert most == [1]
