"""The choice of a condition shows the team's own school's latest survey scores and suggests."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from page_factories import TeamIds, new_person, new_team, signed_in
from sqlalchemy import Engine
from survey_page_factories import imported, school_code, systems_file

from service.organisation import add_school, add_team
from service.store.database import unit_of_work
from service.surveys.instruments import FIXED_COLUMNS, parse_instrument
from service.surveys.registry import register_instrument
from service.web.pages.choose_view import ScoreLine, SurveyScores

VISION, CAPACITY = "vision-and-strategy", "capacity-and-resources"
INFLUENCE, ORIENTATION = "shared-influence", "orientation-to-improve"


def scores_on_page(client: TestClient, team: TeamIds) -> SurveyScores:
    page = client.get(f"/teams/{team.team_id}")
    assert page.status_code == 200
    return page.context["choose"].survey


def answered(db: Engine, team: TeamIds, levels: dict[str, int], n: int, **kwargs: object) -> None:
    """`n` people at the team's school answer, each scoring exactly `levels`."""
    code = school_code(db, team.team_id)
    imported(db, team.program_id, systems_file(db, [(code, levels)] * n, **kwargs))  # type: ignore[arg-type]


def test_the_team_sees_its_schools_latest_scores_with_need_and_strength_marked(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    answered(
        web_db,
        team,
        dict.fromkeys([VISION, INFLUENCE, ORIENTATION], 5),
        6,
        day=dt.date(2024, 10, 1),
    )
    answered(web_db, team, {VISION: 2, INFLUENCE: 4, ORIENTATION: 3}, 5)
    answered(web_db, team, {CAPACITY: 1}, 3)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    survey = scores_on_page(client, team)

    assert (survey.wave, survey.min_n) == ("2025-26", 5)
    lines = {line.title: line for line in survey.lines}
    assert lines["Vision and strategy"] == ScoreLine("Vision and strategy", 5, 2.0, "Greatest need")
    assert lines["Shared influence"] == ScoreLine("Shared influence", 5, 4.0, "Greatest strength")
    assert lines["Orientation to improve"].suggested_as is None
    assert lines["Capacity and resources"] == ScoreLine("Capacity and resources", 3, None, None)
    assert lines["Supportive administration"].n == 0
    assert survey.notes == (
        "Greatest need: Vision and strategy, the lowest score (2.00).",
        "Greatest strength: Shared influence, the highest score (4.00).",
    )


def test_a_suppressed_score_shows_as_suppressed_and_its_value_never_reaches_the_page(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    answered(web_db, team, {VISION: 2, INFLUENCE: 4}, 5)
    answered(web_db, team, {CAPACITY: 1}, 4)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    html = client.get(f"/teams/{team.team_id}").text

    row = html[html.index('<th scope="row">Capacity and resources</th>') :].split("</tr>")[0]
    assert "Suppressed" in row and ">4<" in row
    assert "1.00" not in html


def test_a_tie_is_settled_by_the_playbooks_order_and_explained(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    answered(web_db, team, {INFLUENCE: 2, VISION: 2, ORIENTATION: 4}, 5)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    survey = scores_on_page(client, team)

    assert survey.notes[0] == (
        "Greatest need: Vision and strategy, which shares the lowest score (2.00) with "
        "Shared influence; Vision and strategy is suggested because it comes first in the "
        "playbook's order."
    )
    marked = [(line.title, line.suggested_as) for line in survey.lines if line.suggested_as]
    assert marked == [
        ("Vision and strategy", "Greatest need"),
        ("Orientation to improve", "Greatest strength"),
    ]


def test_a_school_without_survey_data_is_told_so_plainly(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")

    survey = page.context["choose"].survey
    assert (survey.wave, survey.notes) == (None, ())
    assert "Maple Middle School has no survey results yet" in page.text


def test_a_team_member_sees_only_its_own_schools_scores(client: TestClient, web_db: Engine) -> None:
    team = new_team(web_db)
    with unit_of_work(web_db) as session:
        other_school = add_school(
            session=session, program_id=team.program_id, name="Birch School", code="BIRCH"
        )
        other = add_team(session=session, school_id=other_school.id or 0, name="Birch team")
    imported(
        web_db, team.program_id, systems_file(web_db, [("BIRCH", {VISION: 5, INFLUENCE: 1})] * 5)
    )
    answered(web_db, team, {VISION: 3, INFLUENCE: 4}, 5)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    lines = {line.title: line.score for line in scores_on_page(client, team).lines}

    assert (lines["Vision and strategy"], lines["Shared influence"]) == (3.0, 4.0)
    assert client.get(f"/teams/{other.id}").status_code == 404


def test_two_surveys_scoring_one_condition_in_a_wave_are_explained_not_an_error(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    answered(web_db, team, {VISION: 2, INFLUENCE: 4}, 5)
    own = {"id": "Q1", "text": "We share decisions.", "measures": INFLUENCE}
    body = {"name": "own-influence", "title": "Own", "scale": {"min": 1, "max": 5}, "items": [own]}
    with unit_of_work(web_db) as session:
        register_instrument(session=session, instrument=parse_instrument(body, "own"))
    code = school_code(web_db, team.team_id)
    rows = "".join(f"{code},2025-10-02,own-{n},teacher,3\n" for n in range(5))
    data = f"{','.join(FIXED_COLUMNS)},Q1\n{rows}".encode()
    imported(web_db, team.program_id, data, instrument="own-influence")
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    survey = scores_on_page(client, team)

    assert survey.lines == ()
    [note] = survey.notes
    assert note.startswith("Scores unavailable: wave '2025-26' has responses to ")
    assert "which both measure 'shared-influence'" in note


def test_the_scores_link_to_the_schools_profile_which_the_member_may_open(
    client: TestClient, web_db: Engine
) -> None:
    team = new_team(web_db)
    answered(web_db, team, {VISION: 2, INFLUENCE: 4}, 5)
    signed_in(client, new_person(web_db, member_of=(team.team_id,)))

    page = client.get(f"/teams/{team.team_id}")
    profile_href = page.context["profile_href"]

    assert f'href="{profile_href}"' in page.text
    assert client.get(profile_href).status_code == 200
