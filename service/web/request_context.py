"""What the server knows about the request being served, for code far from the request object.

The request middleware (service.web.middleware) opens one `RequestContext` per request. Log
lines read its id, cookies read whether the browser came over https, and the dependency that
names the caller records their id with `note_user` for the request's log line.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestContext:
    """One request's id, transport and (once known) signed-in person. Mutable on purpose."""

    request_id: str
    https: bool = False
    user_id: int | None = None


# Each request runs in its own task with a copy of the context, and sync endpoints run in
# threads that copy it again. Every copy holds the same RequestContext object, so what a
# dependency records in it is seen by the middleware, and nothing outlives the request's task.
_current: ContextVar[RequestContext | None] = ContextVar("improve_request", default=None)


def open_request(request_id: str, *, https: bool) -> RequestContext:
    """Start the context of the request the current task serves."""
    context = RequestContext(request_id, https=https)
    _current.set(context)
    return context


def current_request() -> RequestContext | None:
    return _current.get()


def note_user(person_id: int | None) -> None:
    """Name the signed-in person in the current request's log line."""
    context = _current.get()
    if context is not None:
        context.user_id = person_id
