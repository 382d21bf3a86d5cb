"""A team's page: where its cycle stands, what it owes, and who may change it."""

from __future__ import annotations

import pytest
from factories import fire, save, theory_of_action
from fastapi.testclient import TestClient
from page_factories import form_token, new_cycle, new_person, new_team, signed_in
from page_html import PageStructure
from sqlalchemy import Engine

from service.catalog import get_catalog


def test_the_page_shows_the_stage_its_guide_what_it_owes_and_why_it_cannot_move_yet(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id, "shared-influence")
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.status_code == 200
    assert page.template.name == "team.html"
    assert page.context["can_work"] is True
    assert page.context["choose"] is None
    cycle = page.context["cycle"]
    guide = get_catalog().content.conditions["shared-influence"].stages["why"]
    assert (cycle.cycle_id, cycle.state, cycle.iteration) == (cycle_id, "why", 1)
    assert (cycle.title, cycle.goal) == (guide.title, guide.goal)
    assert cycle.big_questions == tuple(guide.big_questions)
    assert cycle.tasks == tuple(guide.tasks)
    [artifact] = cycle.artifacts
    assert (artifact.kind, artifact.status, artifact.form is not None) == (
        "theory_of_action",
        "missing",
        True,
    )
    [trigger] = cycle.triggers
    assert trigger.name == "start_planning"
    assert not trigger.enabled
    assert trigger.blocked_by == ("Write the theory of action: it has not been started.",)
    assert [event.what for event in cycle.history] == ["Started"]


def test_the_diagram_is_inline_svg_with_the_current_stage_highlighted(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    diagram = str(client.get(f"/teams/{team.team_id}").context["cycle"].diagram)

    assert diagram.startswith("<svg")
    assert diagram.count('class="state current"') == 1
    assert 'class="state current"><rect' in diagram
    assert ">Why</text></g>" in diagram.split('class="state current"')[1].split("<g")[0]


def test_every_field_has_a_label_headings_are_in_order_and_the_language_is_set(
    client: TestClient, web_db: Engine
) -> None:
    team, new = new_team(web_db), new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    save(web_db, cycle_id, "theory_of_action", theory_of_action())
    fire(web_db, cycle_id, "start_planning")  # `how`: lists of rows, dates, choices
    sign_in_page = client.get("/sign-in").text
    signed_in(client, new_person(web_db, member_of=(team.team_id, new.team_id)))
    pages = {
        "sign-in": sign_in_page,
        "teams": client.get("/teams").text,
        "cycle": client.get(f"/teams/{team.team_id}").text,
        "choice": client.get(f"/teams/{new.team_id}").text,
    }

    for name, html in pages.items():
        structure = PageStructure(html)
        assert structure.lang == "en", name
        assert structure.unlabelled_controls() == [], name
        assert structure.skipped_heading_levels() == [], name
        assert structure.headings[0] == 1, name
    assert len(PageStructure(pages["cycle"]).control_ids) > 10


def test_a_stranger_is_told_the_team_does_not_exist(client: TestClient, web_db: Engine) -> None:
    team, own = new_team(web_db), new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, member_of=(own.team_id,)))
    token = form_token(client, own.team_id)

    page = client.get(f"/teams/{team.team_id}")
    post = client.post(f"/cycles/{cycle_id}/triggers/start_planning", data={"csrf_token": token})

    assert page.status_code == 404
    assert page.template.name == "error.html"
    assert post.status_code == 404


@pytest.mark.parametrize("key", ["999999", "abc", "%C2%B2", "99999999999999999999999"])
def test_a_team_that_does_not_exist_is_a_not_found_page(
    client: TestClient, web_db: Engine, key: str
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{key}")

    assert (page.status_code, page.template.name) == (404, "error.html")


def test_a_coach_reads_the_page_without_forms_and_is_refused_on_post(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    cycle_id = new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, coach_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")
    token = page.context["csrf_token"]
    saved = client.post(
        f"/cycles/{cycle_id}/artifacts/theory_of_action",
        data={"csrf_token": token, "goal": "A coach's idea"},
    )
    fired = client.post(f"/cycles/{cycle_id}/triggers/step_back", data={"csrf_token": token})

    assert page.status_code == 200
    assert page.context["can_work"] is False
    assert all(panel.form is None for panel in page.context["cycle"].artifacts)
    assert "/triggers/" not in page.text
    assert (saved.status_code, saved.template.name) == (403, "error.html")
    assert fired.status_code == 403
    assert client.get(f"/teams/{team.team_id}").context["cycle"].artifacts[0].status == "missing"


def test_a_program_admin_may_work_on_a_team_in_their_program(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    new_cycle(web_db, team.team_id)
    signed_in(client, new_person(web_db, admin_of=(team.program_id,)))

    page = client.get(f"/teams/{team.team_id}")

    assert page.context["can_work"] is True
    assert page.context["cycle"].artifacts[0].form is not None


def test_pages_load_their_styles_from_this_site_only_and_print_without_forms(
    client: TestClient,
) -> None:
    page = client.get("/sign-in")
    stylesheet = client.get("/static/print.css")

    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page.text
    assert "<script" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert stylesheet.status_code == 200
    assert "@media print" in stylesheet.text
    assert "form, button" in stylesheet.text
