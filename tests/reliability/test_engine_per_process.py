"""A process makes one engine per database, however many threads ask for it at once."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from service.store.database import get_engine

THREADS = 40
"""As many as a uvicorn worker runs sync routes on, all arriving with its first requests."""


def _unseen_url(database_url: str, folder: Path) -> str:
    """A database URL this process has not asked for yet, of the same kind."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'race.db'}"
    tag = f"race-{uuid.uuid4().hex[:8]}"
    return url.set(query={"application_name": tag}).render_as_string(hide_password=False)


def test_threads_asking_at_once_share_one_engine_and_its_pool(
    database_url: str, tmp_path: Path
) -> None:
    url = _unseen_url(database_url, tmp_path)
    start = threading.Barrier(THREADS)
    engines: list[Engine] = []

    def ask() -> None:
        start.wait()
        engines.append(get_engine(url))

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(engines) == THREADS
    assert len({id(engine) for engine in engines}) == 1
    engines[0].dispose()
