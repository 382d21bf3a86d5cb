"""Liveness and readiness probes for process managers and load balancers; no sign-in needed.

`/healthz` says the process answers. `/readyz` also runs `SELECT 1` on the database with a
short deadline, so a balancer stops sending requests to a process that cannot reach it.
Neither is part of the API's schema.
"""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.settings import get_settings
from service.store.database import get_engine

READY_TIMEOUT_SECONDS = 2.0
"""How long the readiness probe waits for the database before it reports it unavailable."""

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("improve.health")


def _select_one(url: str) -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Bounds the query on the server too; LOCAL ends with this transaction.
            timeout_ms = int(READY_TIMEOUT_SECONDS * 1000)
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout_ms}")
        connection.exec_driver_sql("SELECT 1").scalar_one()


def _unavailable(problem: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "database": problem}, status_code=503)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz() -> dict[str, str] | JSONResponse:
    """Ready when the database answers `SELECT 1` within READY_TIMEOUT_SECONDS."""
    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            # A hung connection attempt must not hold the answer; its thread is left to finish.
            await anyio.to_thread.run_sync(
                _select_one, get_settings().database_url, abandon_on_cancel=True
            )
    except TimeoutError:
        logger.warning("readiness: the database did not answer in %ss", READY_TIMEOUT_SECONDS)
        return _unavailable(f"no answer within {READY_TIMEOUT_SECONDS:g} seconds")
    except SQLAlchemyError:
        # The details (host names, drivers' messages) go to the log, not to an anonymous caller.
        logger.warning("readiness: the database refused SELECT 1", exc_info=True)
        return _unavailable("the database could not be reached or refused the query")
    return {"status": "ready"}
