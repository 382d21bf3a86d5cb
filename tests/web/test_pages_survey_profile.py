"""A school's survey profile: its scores on every scale wave over wave, suppressed below min_n,
with the day each of its teams launched a test marked on the trend charts."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from page_factories import ON_BOTH_DATABASES, browsing_as, new_person, new_team
from page_html import PageStructure
from program_factories import SmallProgram, days_ago
from sqlalchemy import Engine
from survey_page_factories import imported, school_code, systems_file

from service.demo_surveys import seed_surveys
from service.store.database import unit_of_work
from service.store.models import School
from service.surveys.outcomes import wave_scores
from service.surveys.scoring import school_score
from service.web.pages.survey_profile_view import Launch, ScaleRow

# The program counts back from today: the service's clock stands still in each test.
pytestmark = [ON_BOTH_DATABASES, pytest.mark.usefixtures("now")]
VISION, INFLUENCE, CAPACITY = "vision-and-strategy", "shared-influence", "capacity-and-resources"
LAST_YEAR = dt.date(2024, 10, 1)


def recently() -> dt.date:
    """Two days ago: Elm's team launched its test 8 days ago, between LAST_YEAR and this wave."""
    return days_ago(2).date()


def answered(db: Engine, program: SmallProgram, rows: list[dict[str, int]], day: dt.date) -> None:
    """One respondent at Elm per entry of `rows`, scoring exactly its levels."""
    code = school_code(db, program.teams["elm"])
    imported(db, program.program_id, systems_file(db, [(code, r) for r in rows], day=day))


def profile_of(client: TestClient, school_id: int) -> dict[str, object]:
    page = client.get(f"/schools/{school_id}/profile")
    assert (page.status_code, page.template.name) == (200, "survey_profile.html")
    assert PageStructure(page.text).skipped_heading_levels() == []
    return page.context


def cells(rows: list[ScaleRow]) -> dict[str, list[str]]:
    return {row.scale: [cell.text for cell in row.cells] for row in rows}


def test_a_team_member_sees_their_schools_scores_wave_over_wave(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    answered(web_db, program, [{VISION: 4, INFLUENCE: 2}] * 5, LAST_YEAR)
    answered(web_db, program, [{VISION: 5, INFLUENCE: 3}] * 6, recently())
    browsing_as(client, web_db, new_person(web_db, member_of=(program.teams["elm"],)))

    context = profile_of(client, program.schools["elm"])

    waves = context["profile"].waves  # type: ignore[attr-defined]
    assert [w.ended_on for w in waves] == [LAST_YEAR, recently()]
    shown = cells(context["condition_rows"])  # type: ignore[arg-type]
    assert shown[VISION] == ["4.00", "5.00"]
    assert shown[INFLUENCE] == ["2.00", "3.00"]
    assert shown[CAPACITY] == ["no responses", "no responses"]
    assert len(shown) == 7
    vision = context["condition_rows"][0]  # type: ignore[index]
    assert [cell.score.n for cell in vision.cells] == [5, 6]
    assert cells(context["efficacy_rows"]) == {"efficacy": ["no responses"] * 2}  # type: ignore[arg-type]
    assert context["nav_program_id"] is None


def test_a_score_from_too_few_respondents_is_never_shown_nor_drawn(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    answered(web_db, program, [{VISION: 4}] * 5, LAST_YEAR)
    answered(web_db, program, [{CAPACITY: 1}, {CAPACITY: 2}, {CAPACITY: 2}], recently())
    browsing_as(client, web_db, new_person(web_db, admin_of=(program.program_id,)))

    page = client.get(f"/schools/{program.schools['elm']}/profile")

    shown = cells(page.context["condition_rows"])
    assert shown[CAPACITY] == ["no responses", "suppressed (n < 5)"]
    assert shown[VISION] == ["4.00", "no responses"]
    assert "1.67" not in page.text
    assert "Capacity and resources, " not in str(page.context["conditions_chart"])
    assert "Vision and strategy, " in str(page.context["conditions_chart"])


def test_each_launch_of_a_test_is_marked_on_both_trend_charts_with_its_condition(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    answered(web_db, program, [{VISION: 3}] * 5, LAST_YEAR)
    answered(web_db, program, [{VISION: 4}] * 5, recently())
    browsing_as(client, web_db, new_person(web_db, coach_of=(program.teams["elm"],)))

    page = client.get(f"/schools/{program.schools['elm']}/profile")

    launched = days_ago(8).date()
    expected = Launch(launched, VISION, "Vision and strategy", "Elm team")
    assert page.context["profile"].launches == [expected]
    marker = f"<title>Vision and strategy: {launched.isoformat()}</title>"
    assert marker in str(page.context["conditions_chart"])
    assert marker in str(page.context["efficacy_chart"])
    assert f'<time datetime="{launched.isoformat()}">' in page.text


def test_the_efficacy_trend_shows_the_schools_efficacy_in_each_wave(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    elm = program.schools["elm"]
    with unit_of_work(web_db) as session:
        seed_surveys(session, program_id=program.program_id, schools=[session.get_one(School, elm)])
    browsing_as(client, web_db, new_person(web_db, admin_of=(program.program_id,)))

    context = profile_of(client, elm)

    with unit_of_work(web_db, write=False) as session:
        expected = [
            f"{school_score(stats.get((elm, 'efficacy'))).mean:.2f}"
            for stats in (
                wave_scores(session=session, program_id=program.program_id, wave=w.label)
                for w in context["profile"].waves  # type: ignore[attr-defined]
            )
        ]
    assert cells(context["efficacy_rows"]) == {"efficacy": expected}  # type: ignore[arg-type]
    assert str(context["efficacy_chart"]).count("Educator efficacy, ") == 2
    assert context["nav_program_id"] == program.program_id


def test_a_school_without_survey_data_says_so_and_still_lists_its_launches(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    browsing_as(client, web_db, new_person(web_db, member_of=(program.teams["elm"],)))

    context = profile_of(client, program.schools["elm"])

    assert (context["conditions_chart"], context["efficacy_chart"]) == (None, None)
    assert len(context["profile"].launches) == 1  # type: ignore[attr-defined]


def test_people_outside_the_school_and_its_program_are_told_it_does_not_exist(
    client: TestClient, web_db: Engine, program: SmallProgram
) -> None:
    path = f"/schools/{program.schools['elm']}/profile"
    others = {
        "a member of another school's team": new_person(web_db, member_of=(program.teams["oak"],)),
        "a coach of another school's team": new_person(web_db, coach_of=(program.teams["oak"],)),
        "an admin of another program": new_person(web_db, admin_of=(new_team(web_db).program_id,)),
    }

    assert client.get(path, follow_redirects=False).status_code == 303
    for who, email in others.items():
        browsing_as(client, web_db, email)
        assert client.get(path).status_code == 404, who
    assert client.get("/schools/999999/profile").status_code == 404
    assert client.get("/schools/elm/profile").status_code == 404
