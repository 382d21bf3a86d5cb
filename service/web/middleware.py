"""The one ASGI middleware every HTTP request passes: request id, security headers, a log line.

It is plain ASGI rather than Starlette's BaseHTTPMiddleware, which runs the app in a
separate task and streams the response through a queue; this only wraps `send`, so the
per-request cost is a few microseconds (the fire endpoint's throughput is measured).
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.settings import get_settings
from service.web.logs import REQUEST_LOGGER
from service.web.request_context import RequestContext, open_request
from service.web.security_headers import security_headers

REQUEST_ID_HEADER = b"x-request-id"
# An id from the client (or a proxy in front) is kept only if it is short and plain, so it
# cannot forge log lines or smuggle markup into whatever reads them.
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_INTERNAL_ERROR = b'{"detail":"internal server error; the server log has the details"}'

logger = logging.getLogger(REQUEST_LOGGER)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if _SANE_REQUEST_ID.fullmatch(value):
                return value.decode()
            break
    return os.urandom(16).hex()


class RequestMiddleware:
    """Gives each request an id, adds the security headers, and logs one JSON line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        https = scope["scheme"] == "https" or get_settings().secure_cookies
        context = open_request(_request_id(scope), https=https)
        extra = [
            *security_headers(scope["path"], https=https),
            (REQUEST_ID_HEADER, context.request_id.encode()),
        ]
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                # A route that sets one of these itself (a stricter policy, say) keeps its own.
                present = {name for name, _ in headers}
                headers.extend(header for header in extra if header[0] not in present)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # The server's own 500 would go out without our headers; the exception goes on
            # to the server, which logs it (with this request's id).
            if status == 0:
                await _send_internal_error(send_with_headers)
            status = 500
            raise
        finally:
            if logger.isEnabledFor(logging.INFO):
                logger.info("request", extra=_request_fields(scope, status, started, context))


def _request_fields(
    scope: Scope, status: int, started: float, context: RequestContext
) -> dict[str, Any]:
    route = scope.get("route")
    return {
        "method": scope["method"],
        "path": scope["path"],
        "route": getattr(route, "path", None),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "user_id": context.user_id,
        "request_id": context.request_id,
        "client": scope["client"][0] if scope.get("client") else None,
    }


async def _send_internal_error(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_INTERNAL_ERROR)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _INTERNAL_ERROR})
