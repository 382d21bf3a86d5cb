"""Recording the statements and transactions a block of code issues, to pin their number down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def _noting(db: Engine, name: str, entry: Callable[..., Any]) -> Iterator[list[Any]]:
    """What `entry` makes of each `name` event `db` fires while the block runs, in order."""
    seen: list[Any] = []

    def note(*args: Any) -> None:
        seen.append(entry(*args))

    event.listen(db, name, note)
    try:
        yield seen
    finally:
        event.remove(db, name, note)


def recorded_statements(db: Engine) -> AbstractContextManager[list[str]]:
    """Every statement `db` runs while the block runs, in order."""
    return _noting(db, "before_cursor_execute", lambda _conn, _cursor, statement, *_: statement)


def transactions_begun(db: Engine) -> AbstractContextManager[list[Any]]:
    """Every transaction `db` begins while the block runs (each as its connection)."""
    return _noting(db, "begin", lambda connection: connection)
