"""The cookies the pages set, all alike: HttpOnly, SameSite=Lax, and Secure over https.

No script reads any of them: the CSRF token travels in each form's hidden field, computed on
the server from the session cookie (service.web.csrf), so even that cookie stays HttpOnly.
"""

from __future__ import annotations

from starlette.responses import Response

from service.settings import get_settings
from service.web.request_context import current_request

SESSION = "improve_session"
"""The page session token (an opaque token of kind "session", stored hashed)."""

PRESESSION = "improve_presession"
"""A random nonce that binds the sign-in form's CSRF token before any session exists."""

FLASH = "improve_flash"
"""A signed one-shot message for the page a POST redirects to."""


def _secure() -> bool:
    """Secure when the deployment says it is served over https, or this request came over it."""
    request = current_request()
    return get_settings().secure_cookies or (request is not None and request.https)


def set_cookie(response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=_secure()
    )


def delete_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=_secure())
