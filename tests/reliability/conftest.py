"""Deployments under test: real `improve serve` processes on one database, torn down afterwards.

A deployment is started once per test module and shared by its tests; each test seeds its own
program, so tests never see each other's cycles.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import Deployment, start_servers, stop

from service.store.database import get_engine

DEPLOYMENTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "sqlite-one-process": ("sqlite", (1,)),
    "postgres-two-processes-one-with-two-workers": ("postgres", (2, 1)),
}
"""Name -> (database, worker count of each `improve serve` process).

PostgreSQL is served by two separate `improve serve` processes, one of them running two
uvicorn workers: clients spread over both, so one deployment shows both that several workers
and that several machines' worth of processes can share one database.
"""


@pytest.fixture(
    scope="module",
    params=[
        "sqlite-one-process",
        pytest.param("postgres-two-processes-one-with-two-workers", marks=pytest.mark.postgres),
    ],
)
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    database, workers = DEPLOYMENTS[request.param]
    url = request.getfixturevalue(f"{database}_url")
    servers = start_servers(url, tmp_path_factory.mktemp(request.param), workers)
    try:
        yield Deployment(get_engine(url), servers)
    finally:
        for server in servers:
            stop(server)
