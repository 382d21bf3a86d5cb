"""Long lists shown a page at a time: the slice a query string asks for, and links between pages.

The caseload, the dashboard's stalled teams and the program's schools all page the same way:
`limit` and `offset` in the query string, a value the page does not know ignored rather than
refused (a hand-edited link), and each page's address naming only what differs from the default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


def bounded(raw: str, default: int, low: int, high: int) -> int:
    """A whole number from the query string, kept within [low, high]; `default` if it is none."""
    return min(max(int(raw), low), high) if raw.isascii() and raw.isdigit() else default


class Window(Protocol):
    @property
    def limit(self) -> int: ...

    @property
    def offset(self) -> int: ...


@dataclass(frozen=True)
class PageWindow:
    """Which slice of a long list a page shows."""

    limit: int = PAGE_SIZE
    offset: int = 0


def parse_window(params: Mapping[str, str]) -> PageWindow:
    """The slice asked for in the query string."""
    return PageWindow(
        limit=bounded(params.get("limit", ""), PAGE_SIZE, 1, MAX_PAGE_SIZE),
        offset=bounded(params.get("offset", ""), 0, 0, MAX_OFFSET),
    )


def window_params(window: Window) -> dict[str, int]:
    """The slice's query parameters, naming only what differs from the default."""
    params = {"limit": window.limit} if window.limit != PAGE_SIZE else {}
    return params | ({"offset": window.offset} if window.offset else {})


@dataclass(frozen=True)
class Paging:
    """Where the page shown sits in the whole list, with links to its neighbours."""

    total: int
    first: int
    last: int
    previous_href: str | None
    next_href: str | None


def paging(total: int, window: Window, href: Callable[[int], str]) -> Paging:
    """The links around `window` in a list of `total`; `href` makes a page's address by offset."""
    following = window.offset + window.limit
    return Paging(
        total=total,
        first=min(window.offset + 1, total),
        last=min(following, total),
        previous_href=href(max(window.offset - window.limit, 0)) if window.offset > 0 else None,
        next_href=href(following) if following < total else None,
    )
