"""The interactive API documentation at /docs: Swagger UI, served by this app, no CDN.

Swagger UI's script, stylesheet and icon come from the fastapi-offline package (which ships
them for this purpose) and are served under /docs/assets, so the page works where the app is
the only site a browser can reach (offline, behind a school network's filter). ReDoc's
layout (/redoc) is not served: it needs inline styles and workers made from blobs.

FastAPI's page starts Swagger UI with an inline script. The pages are built once, here, so
the docs' Content Security Policy can admit exactly their inline scripts by hash
(`INLINE_SCRIPT_SOURCES`), and no other inline script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
ASSETS_PATH = "/docs/assets"
DOCS_PATHS = frozenset({DOCS_PATH, OAUTH2_REDIRECT_PATH})
"""The pages that run Swagger UI's inline scripts (its assets are plain files)."""

OPENAPI_PATH = "/openapi.json"
ASSETS = files("fastapi_offline") / "static"

_DOCS_PAGE = get_swagger_ui_html(
    openapi_url=OPENAPI_PATH,
    title="improvement-engine API",
    swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
    swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
    swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
).body
_OAUTH2_REDIRECT_PAGE = get_swagger_ui_oauth2_redirect_html().body

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _hash_source(script: bytes) -> str:
    """The CSP source that admits this exact inline script."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"


INLINE_SCRIPT_SOURCES = tuple(
    sorted(
        {
            _hash_source(script)
            for page in (_DOCS_PAGE, _OAUTH2_REDIRECT_PAGE)
            for script in _INLINE_SCRIPT.findall(page)
        }
    )
)


def _docs_page() -> HTMLResponse:
    return HTMLResponse(_DOCS_PAGE)


def _oauth2_redirect_page() -> HTMLResponse:
    return HTMLResponse(_OAUTH2_REDIRECT_PAGE)


def install_api_docs(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 redirect page and Swagger UI's assets from `app` itself.

    The app must be made with `docs_url=None` and `redoc_url=None`, so FastAPI serves neither
    its own docs page nor ReDoc's.
    """
    app.add_api_route(DOCS_PATH, _docs_page, methods=["GET"], include_in_schema=False)
    app.add_api_route(
        OAUTH2_REDIRECT_PATH, _oauth2_redirect_page, methods=["GET"], include_in_schema=False
    )
    app.mount(ASSETS_PATH, StaticFiles(directory=str(ASSETS)), name="docs-assets")
