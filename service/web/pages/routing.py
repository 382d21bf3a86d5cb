"""Page routes: refusals raised by page dependencies become pages, not JSON.

The app's exception handlers answer in JSON for the API. A page route instead
turns `SignInRequired` into a redirect to the sign-in page and `PageRefusal`
into an HTML error page. Both are raised only where nothing is written: by
the dependencies that name the caller, check the CSRF token and authorise, by
a handler's reads before its `with transaction()`, or after that block has
rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.web.pages import cookies
from service.web.pages.rendering import render

SIGN_IN = "/sign-in"


class SignInRequired(Exception):
    """The browser has no valid page session."""


class PageRefusal(Exception):
    """A request a page answers with an error page (404, 403) and a sentence saying why."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


def not_found(what: str) -> PageRefusal:
    return PageRefusal(
        404, "Not found", f"There is no {what} here, or you do not have access to it."
    )


def forbidden(message: str) -> PageRefusal:
    return PageRefusal(403, "Not allowed", message)


class PageRoute(APIRoute):
    """An APIRoute whose refusals are rendered as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired:
                response: Response = RedirectResponse(SIGN_IN, status_code=303)
                if cookies.SESSION in request.cookies:
                    cookies.delete_cookie(response, cookies.SESSION)
                return response
            except PageRefusal as refusal:
                return render(
                    request,
                    "error.html",
                    {"title": refusal.title, "message": refusal.message},
                    status_code=refusal.status_code,
                )

        return handle_page
