"""kill -9 in the middle of a write load: after a restart nothing is half-written or lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from consistency import check_cycles, problems_in
from load import WALK, Tally, import_survey, run_apart, survey_file, walk_all
from seeding import PLANNED_WRITES, Program, seed_program
from servers import Server, kill, start_servers, stop
from sqlalchemy import Engine, func
from sqlmodel import select

from service.store.database import get_engine, unit_of_work
from service.store.models import SurveyResponse
from service.surveys.registry import instrument_named

pytestmark = pytest.mark.reliability

TEAMS = 60
SURVEY = "systems-conditions"
SURVEY_ROWS = 10_000
KILL_AFTER = TEAMS * len(WALK) // 3
"""Writes acknowledged before the kill: a third of the load, so much is still in flight."""


async def _crash_mid_load(
    server: Server, program: Program, survey: bytes, tally: Tally
) -> httpx.Response | None:
    """Walk every cycle and import the survey at once; kill the server a third of the way."""
    walks = asyncio.create_task(walk_all([server.base_url], program.workers, WALK, tally))
    upload = asyncio.create_task(
        import_survey(server.base_url, program.id, SURVEY, program.admin_token, survey)
    )
    while tally.acknowledged.total() < KILL_AFTER and not walks.done():
        await asyncio.sleep(0.01)
    kill(server)
    await walks
    return await upload


def _responses_stored(db: Engine, program_id: int) -> int:
    with unit_of_work(db, write=False) as session:
        return session.exec(
            select(func.count()).where(SurveyResponse.program_id == program_id)
        ).one()


def test_a_server_killed_mid_load_restarts_with_every_write_whole_or_absent(
    database_url: str, tmp_path: Path
) -> None:
    db = get_engine(database_url)
    program = seed_program(db, TEAMS, planned=True)
    with unit_of_work(db) as session:
        survey = survey_file(
            instrument_named(session=session, name=SURVEY), program.school_code, SURVEY_ROWS
        )
    tally = Tally()
    [server] = start_servers(database_url, tmp_path, [1])
    try:
        imported = run_apart(_crash_mid_load(server, program, survey, tally))
    finally:
        kill(server)

    assert tally.cut_off > 0, "the kill came after the load had finished"
    assert tally.server_errors == 0, server.log_tail()
    [restarted] = start_servers(database_url, tmp_path, [1])
    try:
        reports = check_cycles(db, [w.cycle_id for w in program.workers])
        assert problems_in(reports) == []
        for report in reports:
            # Every acknowledged write survived; the one in flight at the kill may have too.
            landed = report.writes - PLANNED_WRITES
            acknowledged = tally.acknowledged[report.cycle_id]
            assert acknowledged <= landed <= acknowledged + 1, report
        stored = _responses_stored(db, program.id)
        assert stored in (0, SURVEY_ROWS)
        if imported is not None and imported.status_code == 200:
            assert stored == SURVEY_ROWS
        retried = run_apart(
            import_survey(restarted.base_url, program.id, SURVEY, program.admin_token, survey)
        )
        assert retried is not None and retried.status_code == 200, restarted.log_tail()
        assert retried.json()["replaced"] == stored
        assert _responses_stored(db, program.id) == SURVEY_ROWS
    finally:
        stop(restarted)
