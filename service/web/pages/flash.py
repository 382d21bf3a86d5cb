"""One-shot messages carried from a POST to the page it redirects to, in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.settings import get_settings
from service.web.pages import cookies

FLASH_SECONDS = 60


@dataclass(frozen=True)
class Flash:
    """What happened to the last form: done, or refused with reasons shown beside `target`."""

    kind: Literal["done", "refused"]
    message: str
    target: str | None = None
    reasons: tuple[str, ...] = ()


def _signature(payload: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, b"flash:" + payload.encode(), hashlib.sha256).hexdigest()


def redirect_with_flash(url: str, flash: Flash) -> Response:
    """303 to `url` (POST, then redirect, then GET), carrying `flash` to the next page."""
    payload = base64.urlsafe_b64encode(json.dumps(asdict(flash)).encode()).decode()
    response = RedirectResponse(url, status_code=303)
    cookies.set_cookie(
        response, cookies.FLASH, f"{payload}.{_signature(payload)}", max_age=FLASH_SECONDS
    )
    return response


def flash_shown(request: Request, response: Response) -> Response:
    """The page that showed the flash the browser brought, which then forgets it."""
    if cookies.FLASH in request.cookies:
        cookies.delete_cookie(response, cookies.FLASH)
    return response


def read_flash(request: Request) -> Flash | None:
    """The flash the browser brought back, if it is one this server signed."""
    raw = request.cookies.get(cookies.FLASH, "")
    payload, _, signature = raw.partition(".")
    if not payload or not hmac.compare_digest(_signature(payload), signature):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(payload))
        return Flash(
            kind=body["kind"],
            message=body["message"],
            target=body["target"],
            reasons=tuple(body["reasons"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
