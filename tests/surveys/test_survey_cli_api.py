"""The `improve survey` commands and the survey API: same data in, the same JSON out."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine
from survey_factories import (
    EFFICACY,
    FALL_2024,
    SYSTEMS,
    answers_scoring,
    instrument,
    new_program,
    response_file,
    run_import,
    school_id,
    stored,
)
from survey_truth import truth_files
from typer.testing import CliRunner

from content import CONTENT_DIR
from service.catalog import get_catalog
from service.cli import app
from service.organisation import add_program_admin, add_team, add_to_team, create_person
from service.security import issue_token
from service.store.database import get_engine, unit_of_work
from service.web.api import surveys as surveys_api

runner = CliRunner()


def person(db: Engine, *, site_admin: bool = False) -> tuple[int, dict[str, str]]:
    """A new person and the header carrying an API token of theirs."""
    with unit_of_work(db) as session:
        created = create_person(
            session=session,
            email=f"{uuid.uuid4().hex[:12]}@example.org",
            name="Someone",
            is_site_admin=site_admin,
        )
        token = issue_token(
            session=session, person_id=created.id or 0, kind="api", ttl=dt.timedelta(hours=1)
        )
        return created.id or 0, {"Authorization": f"Bearer {token}"}


def program_admin(db: Engine, program_id: int) -> dict[str, str]:
    person_id, headers = person(db)
    with unit_of_work(db) as session:
        add_program_admin(session=session, program_id=program_id, person_id=person_id)
    return headers


def on_a_team(db: Engine, program_id: int, role: str) -> dict[str, str]:
    """Someone on a team of the program's school S01, as a member or a coach."""
    person_id, headers = person(db)
    with unit_of_work(db) as session:
        team = add_team(session=session, school_id=school_id(db, program_id, "S01"), name="Team")
        add_to_team(session=session, team_id=team.id or 0, person_id=person_id, role=role)
    return headers


def efficacy_file(db: Engine, *, value: int = 4, n: int = 5, day: dt.date = FALL_2024) -> bytes:
    chosen = instrument(db, EFFICACY)
    answers = answers_scoring(chosen, {"efficacy": value})
    rows = [("S01", day, f"r{k}", "teacher", answers) for k in range(n)]
    return response_file(chosen.item_ids, rows)


def responses_url(program_id: int, name: str = EFFICACY) -> str:
    return f"/api/programs/{program_id}/surveys/{name}/responses"


def post_csv(
    client: TestClient, url: str, headers: dict[str, str], data: bytes, **kwargs: object
) -> Response:
    """POST a CSV file as the raw request body."""
    return client.post(
        url,
        content=data,
        headers={**headers, "Content-Type": "text/csv"},
        **kwargs,  # type: ignore[arg-type]
    )


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["survey", *args])
    return result.exit_code, result.output


def test_the_cli_and_the_api_report_the_same_json(
    configured: str, client: TestClient, tmp_path: Path
) -> None:
    db = get_engine(configured)
    program_id, codes = new_program(db, schools=6)
    instruments = [instrument(db, SYSTEMS), instrument(db, EFFICACY)]
    conditions = get_catalog().content.condition_slugs
    for n, (name, _, data) in enumerate(truth_files(codes, conditions, instruments)):
        path = tmp_path / f"{n}-{name}.csv"
        path.write_bytes(data)
        code, output = invoke(
            "import", "--program", str(program_id), "--instrument", name, str(path)
        )
        assert code == 0, output
    waves = ["--from", "2024-25", "--to", "2025-26"]
    code, output = invoke("report", "--program", str(program_id), *waves, "--format", "json")
    assert code == 0, output
    response = client.get(
        f"/api/programs/{program_id}/outcomes",
        params={"from": "2024-25", "to": "2025-26"},
        headers=program_admin(db, program_id),
    )
    assert response.status_code == 200, response.text
    assert json.loads(output) == response.json()
    assert response.json()["conditions_improved"] == 5
    assert response.json()["efficacy"]["schools_increased"] == 6


def test_the_cli_imports_with_a_wave_label_and_replaces_on_a_second_run(
    configured: str, tmp_path: Path
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    path = tmp_path / "efficacy.csv"
    path.write_bytes(efficacy_file(db, n=7))
    args = ["--program", str(program_id), "--instrument", EFFICACY, "--wave", "baseline"]
    code, output = invoke("import", *args, str(path))
    assert code == 0, output
    assert "Imported 7 responses to educator-efficacy" in output
    assert "(baseline: 7); 0 replaced" in output
    code, output = invoke("import", *args, str(path))
    assert "7 replaced" in output
    assert len(stored(db, program_id)) == 7


def test_the_cli_lists_every_problem_and_writes_nothing(configured: str, tmp_path: Path) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        efficacy_file(db).replace(b"S01,2024-10-01,r3", b"S77,2024-10-01,r3")
        + b"S01,x,r9,t"
        + b",9" * 7
    )
    code, output = invoke(
        "import", "--program", str(program_id), "--instrument", EFFICACY, str(path)
    )
    assert code == 1
    assert "nothing was imported: the file has 9 problem(s)" in output
    assert "no school in this program has code 'S77'" in output
    assert "9 is outside the scale 1-5" in output
    assert stored(db, program_id) == []


def test_the_cli_registers_an_instrument_given_as_a_file(configured: str, tmp_path: Path) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    name = f"own-{uuid.uuid4().hex[:8]}"
    yaml_path = tmp_path / "own.yaml"
    shipped = (CONTENT_DIR / "instruments" / "educator-efficacy.yaml").read_text(encoding="utf-8")
    yaml_path.write_text(shipped.replace("name: educator-efficacy", f"name: {name}"), "utf-8")
    csv_path = tmp_path / "own.csv"
    csv_path.write_bytes(efficacy_file(db))
    args = ["import", "--program", str(program_id), "--instrument", str(yaml_path), str(csv_path)]
    code, output = invoke(*args)
    assert code == 0, output
    assert {row[0] for row in stored(db, program_id)} == {name}


def test_the_cli_reports_as_a_table_or_csv_and_fails_on_an_unknown_wave(configured: str) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    run_import(db, program_id, EFFICACY, efficacy_file(db, value=2))
    run_import(db, program_id, EFFICACY, efficacy_file(db, value=4, day=dt.date(2025, 9, 1)))
    waves = ["--program", str(program_id), "--from", "2024-25", "--to", "2025-26"]
    code, output = invoke("report", *waves)
    assert code == 0, output
    assert "Improved in 0 of 7 conditions." in output
    assert "Efficacy rose in 1 of 1 schools (100.0%)." in output
    code, output = invoke("report", *waves, "--format", "csv")
    assert output.splitlines()[-1] == "efficacy,efficacy,1,1,2.0,True,100.0"
    code, output = invoke("report", "--program", str(program_id), "--from", "x", "--to", "y")
    assert code == 1
    assert "no survey responses in wave 'x'" in output


def test_the_api_imports_a_raw_csv_body_and_a_multipart_file(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    admin = program_admin(db, program_id)
    data = efficacy_file(db, n=6)
    raw = post_csv(client, responses_url(program_id), admin, data)
    assert raw.status_code == 200, raw.text
    assert raw.json() == {
        "instrument": EFFICACY,
        "rows": 6,
        "replaced": 0,
        "waves": {"2024-25": 6},
    }
    upload = client.post(
        responses_url(program_id),
        headers=admin,
        params={"wave": "autumn"},
        files={"file": ("efficacy.csv", data, "text/csv")},
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["waves"] == {"autumn": 6}
    assert len(stored(db, program_id)) == 12


def test_the_api_refuses_a_bad_file_listing_every_problem_and_writes_nothing(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    lines = efficacy_file(db).decode().replace(",r1,", ",r0,").splitlines()
    data = "\n".join([lines[0] + ",extra", *(line + ",x" for line in lines[1:])]).encode()
    response = post_csv(client, responses_url(program_id), program_admin(db, program_id), data)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["problems_total"] == 2
    assert detail["problems"] == [
        {"row": 1, "column": "extra", "message": detail["problems"][0]["message"]},
        {"row": 3, "column": "respondent_id", "message": "also answers on row 2"},
    ]
    assert "ignore extra columns" in detail["problems"][0]["message"]
    assert stored(db, program_id) == []


def test_the_api_takes_ignore_extra_from_the_query(configured: str, client: TestClient) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    lines = efficacy_file(db).decode().splitlines()
    data = "\n".join([lines[0] + ",note", *(line + ",hello" for line in lines[1:])]).encode()
    admin = program_admin(db, program_id)
    refused = post_csv(client, responses_url(program_id), admin, data)
    assert refused.status_code == 422
    params = {"ignore_extra": "true"}
    response = post_csv(client, responses_url(program_id), admin, data, params=params)
    assert response.status_code == 200, response.text


def test_the_api_refuses_other_media_types_and_unknown_instruments(
    configured: str, client: TestClient
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    admin = program_admin(db, program_id)
    as_json = client.post(responses_url(program_id), headers=admin, json={"a": 1})
    assert as_json.status_code == 415
    unknown = post_csv(client, responses_url(program_id, "no-such-survey"), admin, b"x")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "instrument 'no-such-survey' not found"}
    not_a_name = client.post(responses_url(program_id, "Bad.Name"), headers=admin)
    assert not_a_name.status_code == 422
    no_file = client.post(responses_url(program_id), headers=admin, files={"other": b"x"})
    assert no_file.status_code == 422


@pytest.mark.parametrize("who", ["member", "coach", "admin of another program"])
def test_only_program_and_site_admins_import_and_read_outcomes(
    configured: str, client: TestClient, who: str
) -> None:
    db = get_engine(configured)
    program_id, _ = new_program(db)
    run_import(db, program_id, EFFICACY, efficacy_file(db, value=2))
    run_import(db, program_id, EFFICACY, efficacy_file(db, value=4, day=dt.date(2025, 9, 1)))
    other_program, _ = new_program(db)
    callers = {
        "member": on_a_team(db, program_id, "member"),
        "coach": on_a_team(db, program_id, "coach"),
        "admin of another program": program_admin(db, other_program),
    }
    outcomes = f"/api/programs/{program_id}/outcomes?from=2024-25&to=2025-26"
    data = efficacy_file(db)
    refused_import = post_csv(client, responses_url(program_id), callers[who], data)
    assert refused_import.status_code == 404
    assert client.get(outcomes, headers=callers[who]).status_code == 404
    for allowed in (program_admin(db, program_id), person(db, site_admin=True)[1]):
        assert client.get(outcomes, headers=allowed).status_code == 200
        response = post_csv(client, responses_url(program_id), allowed, data)
        assert response.status_code == 200
    assert client.get(outcomes).status_code == 401


def test_an_upload_larger_than_memory_allows_is_spooled_to_disk_and_imported(
    configured: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surveys_api, "IN_MEMORY_BYTES", 256)
    db = get_engine(configured)
    program_id, _ = new_program(db)
    admin = program_admin(db, program_id)
    data = efficacy_file(db, n=40)
    assert len(data) > 1024
    raw = post_csv(client, responses_url(program_id), admin, data)
    assert (raw.status_code, raw.json()["rows"]) == (200, 40), raw.text
    files = {"file": ("efficacy.csv", data, "text/csv")}
    upload = client.post(responses_url(program_id), headers=admin, files=files)
    assert (upload.status_code, upload.json()["replaced"]) == (200, 40), upload.text


def test_an_upload_beyond_the_limit_is_refused_unread(
    configured: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surveys_api, "MAX_UPLOAD_BYTES", 100)
    db = get_engine(configured)
    program_id, _ = new_program(db)
    response = post_csv(
        client, responses_url(program_id), program_admin(db, program_id), b"x" * 101
    )
    assert response.status_code == 413
    assert stored(db, program_id) == []
