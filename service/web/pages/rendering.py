"""The Jinja2 environment and the one function every page renders through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from service.web import csrf
from service.web.pages import cookies

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# Autoescaping is on for every .html template; nothing a person typed is ever marked safe.
# StrictUndefined turns a misspelt variable into an error (and a failing test), not a blank.
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """Render a page; forms on it get the CSRF token bound to the browser's session."""
    session_token = request.cookies.get(cookies.SESSION)
    context.setdefault("csrf_token", csrf.token_for(session_token) if session_token else "")
    context.setdefault("caller", None)
    context.setdefault("flash", None)
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    # Pages carry personal data and CSRF tokens: never keep them in a shared cache.
    # (The security headers, the Content-Security-Policy among them, are added to every
    # response by service.web.middleware.)
    response.headers["Cache-Control"] = "no-store"
    return response
