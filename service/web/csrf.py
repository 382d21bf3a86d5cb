"""CSRF tokens for page forms: an HMAC-SHA256 of what the browser already holds secretly.

A signed-in browser's forms carry the HMAC of its session token; the sign-in form, which
comes before any session, carries the HMAC of a random pre-session nonce kept in a cookie.
A page on another site can make the browser send those cookies, but cannot read them, so it
cannot compute the matching form field (`csrf_token`, hidden in every POST form).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from service.settings import get_settings


def token_for(binding: str) -> str:
    """The token that forms served to the holder of `binding` (a session token or nonce) carry."""
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def is_valid(binding: str | None, submitted: str | None) -> bool:
    """Whether a submitted token belongs to `binding`; a missing value on either side is not."""
    if not binding or not submitted:
        return False
    return hmac.compare_digest(token_for(binding), submitted)


def new_nonce() -> str:
    """A random pre-session value for the sign-in form, kept in a cookie."""
    return secrets.token_urlsafe(32)
