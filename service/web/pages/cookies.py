"""The cookies the pages set, all with the same flags: HttpOnly, SameSite=Lax, Secure if asked."""

from __future__ import annotations

from starlette.responses import Response

from service.settings import get_settings

SESSION = "improve_session"
"""The page session token (an opaque token of kind "session", stored hashed)."""

PRESESSION = "improve_presession"
"""A random nonce that binds the sign-in form's CSRF token before any session exists."""

FLASH = "improve_flash"
"""A signed one-shot message for the page a POST redirects to."""


def set_cookie(response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


def delete_cookie(response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=get_settings().secure_cookies
    )
