"""A program admin uploads a CSV of survey responses: imported whole, or every problem listed."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import TeamIds, new_person, new_team, signed_in
from page_html import PageStructure
from sqlalchemy import Engine
from survey_page_factories import SYSTEMS, responses_stored, school_code, systems_file

from service.settings import get_settings
from service.surveys.rows import Problem
from service.web.pages import survey_upload_form

LEVELS = {"vision-and-strategy": 2, "shared-influence": 4}


@pytest.fixture
def team(web_db: Engine) -> TeamIds:
    return new_team(web_db)


@pytest.fixture
def admin(client: TestClient, web_db: Engine, team: TeamIds) -> TestClient:
    return signed_in(client, new_person(web_db, name="Pat Admin", admin_of=(team.program_id,)))


def upload_url(team: TeamIds) -> str:
    return f"/programs/{team.program_id}/surveys/upload"


def upload(
    client: TestClient,
    team: TeamIds,
    data: bytes,
    *,
    instrument: str = SYSTEMS,
    wave: str = "",
    ignore_extra: bool = False,
    token: str | None = None,
) -> Response:
    """Send the form as a browser does, with the token the page's form carries."""
    fields = {
        "csrf_token": client.get(upload_url(team)).context["csrf_token"]
        if token is None
        else token,
        "instrument": instrument,
        "wave": wave,
    }
    if ignore_extra:
        fields["ignore_extra"] = "yes"
    return client.post(
        upload_url(team),
        data=fields,
        files={"file": ("responses.csv", data, "text/csv")},
        follow_redirects=False,
    )


def reported(client: TestClient, response: Response) -> str:
    """What the page an upload redirected to says it did."""
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"]).context["flash"].message


def good_file(db: Engine, team: TeamIds, n: int = 5) -> bytes:
    return systems_file(db, [(school_code(db, team.team_id), LEVELS)] * n)


def test_the_form_offers_the_surveys_and_says_which_waves_are_imported(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    upload(admin, team, good_file(web_db, team))

    page = admin.get(upload_url(team))

    assert (page.status_code, page.template.name) == (200, "survey_upload.html")
    offered = [(c.name, c.title) for c in page.context["instruments"]]
    assert ("systems-conditions", "Systems conditions survey") in offered
    assert "educator-efficacy" in [name for name, _ in offered]
    assert page.context["waves"] == ["2025-26"]
    assert 'enctype="multipart/form-data"' in page.text


def test_the_form_and_its_problems_are_labelled_in_order_without_inline_code(
    admin: TestClient, team: TeamIds
) -> None:
    page = upload(admin, team, b"school_code\n")

    assert page.context["refusal"].total == 3 + 25  # the other fixed columns, and every item
    structure = PageStructure(page.text)
    assert structure.headings[0] == 1 and structure.skipped_heading_levels() == []
    assert structure.unlabelled_controls() == []
    assert "<script" not in page.text and "style=" not in page.text


def test_the_dashboard_links_to_the_upload_page(admin: TestClient, team: TeamIds) -> None:
    dashboard = admin.get(f"/programs/{team.program_id}/dashboard")

    assert f'href="{upload_url(team)}"' in dashboard.text


def test_a_good_file_is_imported_and_the_page_says_how_many_rows_into_which_wave(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    response = upload(admin, team, good_file(web_db, team, n=6), wave="spring 2026")

    assert response.headers["location"] == upload_url(team)
    assert reported(admin, response) == (
        "Imported 6 responses to Systems conditions survey into wave spring 2026: 6 new, "
        "0 replacing what the same respondents answered before."
    )
    assert responses_stored(web_db, team.program_id) == 6


def test_without_a_wave_label_rows_join_the_school_year_they_were_given_in(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    code = school_code(web_db, team.team_id)
    spring = systems_file(web_db, [(code, LEVELS)] * 2, day=dt.date(2025, 4, 1))
    autumn = systems_file(web_db, [(code, LEVELS)] * 3).split(b"\n", 1)[1]

    response = upload(admin, team, spring + autumn)

    assert reported(admin, response) == (
        "Imported 5 responses to Systems conditions survey into waves 2024-25 (2 rows), "
        "2025-26 (3 rows): 5 new, 0 replacing what the same respondents answered before."
    )


def test_uploading_the_same_respondents_again_replaces_their_answers(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    data = good_file(web_db, team)
    upload(admin, team, data)

    again = upload(admin, team, data)

    assert reported(admin, again).endswith(
        ": 0 new, 5 replacing what the same respondents answered before."
    )
    assert responses_stored(web_db, team.program_id) == 5


def test_a_bad_file_lists_every_problem_by_row_and_column_and_imports_nothing(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    code = school_code(web_db, team.team_id)
    lines = good_file(web_db, team, n=3).decode().splitlines()
    lines[1] = lines[1].replace(code, "NOWHERE", 1)
    lines[2] = lines[2].replace("2025-10-01", "01/10/2025")
    lines.append(lines[3])  # the same respondent again
    lines[3] = lines[3].replace(",2,", ",9,", 1)  # VS1 answered off the scale

    response = upload(admin, team, "\n".join(lines).encode(), wave="w1", ignore_extra=True)

    assert (response.status_code, response.template.name) == (422, "survey_upload.html")
    refusal = response.context["refusal"]
    assert refusal.total == 4
    assert [(p.row, p.column) for p in refusal.problems] == [
        (2, "school_code"),
        (3, "administered_on"),
        (4, "VS1"),
        (5, "respondent_id"),
    ]
    assert all(isinstance(p, Problem) and p.message for p in refusal.problems)
    assert "no school in this program has code &#39;NOWHERE&#39;" in response.text
    draft = response.context["draft"]
    assert (draft.instrument, draft.wave, draft.ignore_extra) == (SYSTEMS, "w1", True)
    assert responses_stored(web_db, team.program_id) == 0


def test_an_extra_column_is_a_problem_unless_extra_columns_are_ignored(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    lines = good_file(web_db, team).decode().splitlines()
    data = "\n".join(f"{line},x" for line in lines).encode()

    refused = upload(admin, team, data)
    imported = upload(admin, team, data, ignore_extra=True)

    assert [(p.row, p.column) for p in refused.context["refusal"].problems] == [(1, "x")]
    assert imported.status_code == 303
    assert responses_stored(web_db, team.program_id) == 5


def test_the_form_comes_back_with_an_error_beside_each_missing_field(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    token = admin.get(upload_url(team)).context["csrf_token"]

    response = admin.post(
        upload_url(team),
        data={"csrf_token": token, "instrument": "no-such-survey", "wave": "w" * 51},
        files={"file": ("", b"", "application/octet-stream")},
    )

    assert response.status_code == 422
    assert set(response.context["draft"].errors) == {"instrument", "wave", "file"}
    assert response.context["refusal"] is None


def test_a_file_over_the_size_limit_is_refused_unread_with_a_clear_message(
    admin: TestClient, web_db: Engine, team: TeamIds, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPROVE_SURVEY_UPLOAD_MAX_MIB", "1")
    get_settings.cache_clear()
    data = good_file(web_db, team, n=13_000)
    assert len(data) > 2**20 + survey_upload_form.FORM_OVERHEAD_BYTES

    response = upload(admin, team, data)

    assert (response.status_code, response.template.name) == (413, "error.html")
    assert "larger than 1 MiB, so nothing was imported" in response.context["message"]
    assert responses_stored(web_db, team.program_id) == 0


def test_an_upload_that_does_not_declare_its_length_is_not_read(
    admin: TestClient, team: TeamIds
) -> None:
    def chunks():  # sent chunked, without a Content-Length
        yield b'--x\r\nContent-Disposition: form-data; name="wave"\r\n\r\nw\r\n--x--\r\n'

    response = admin.post(
        upload_url(team),
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )

    assert response.status_code == 411


def test_a_form_without_the_sessions_token_is_refused_and_imports_nothing(
    admin: TestClient, web_db: Engine, team: TeamIds
) -> None:
    response = upload(admin, team, good_file(web_db, team), token="")

    assert (response.status_code, response.template.name) == (403, "error.html")
    assert responses_stored(web_db, team.program_id) == 0


def test_only_the_programs_admins_may_open_the_page_or_upload(
    client: TestClient, web_db: Engine, team: TeamIds
) -> None:
    signed_in(client, new_person(web_db, member_of=(team.team_id,), coach_of=()))

    assert client.get(upload_url(team)).status_code == 404
    token = client.get(f"/teams/{team.team_id}").context["csrf_token"]
    assert upload(client, team, good_file(web_db, team), token=token).status_code == 404
    assert responses_stored(web_db, team.program_id) == 0
