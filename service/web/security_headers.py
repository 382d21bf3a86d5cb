"""The security headers every response carries: the one place they are defined.

Pages load every script, style and image from this site, so the policy allows 'self' and
nothing inline. The interactive API docs (/docs) load Swagger UI from this site too, but start
it with an inline script: their policy admits exactly that script by its hash, and the
images Swagger UI's stylesheet embeds as data: URLs; they may not be framed either.
"""

from __future__ import annotations

from service.web.api_docs import DOCS_PATHS, INLINE_SCRIPT_SOURCES

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self' {' '.join(INLINE_SCRIPT_SOURCES)}; "
    "style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HSTS = "max-age=31536000"

Headers = list[tuple[bytes, bytes]]


def _encoded(headers: dict[str, str]) -> Headers:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


def _headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        # URLs carry ids (and a calendar feed's token): never send them to another site.
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


_PLAIN = _encoded(_headers(CONTENT_SECURITY_POLICY))
_DOCS = _encoded(_headers(DOCS_CONTENT_SECURITY_POLICY))
_TRANSPORT = _encoded({"Strict-Transport-Security": HSTS})


def security_headers(path: str, *, https: bool) -> Headers:
    """The headers for a response to `path`, already encoded for ASGI (built once, not per call).

    HSTS goes only on responses the browser received over https (or when the deployment says
    it is served over https): browsers ignore it on plain http anyway.
    """
    page = _DOCS if path in DOCS_PATHS else _PLAIN
    return page + _TRANSPORT if https else page
