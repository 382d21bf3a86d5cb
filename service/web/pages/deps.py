"""Page dependencies: the signed-in caller, the CSRF check and authorisation.

Each reads in a brief read-only unit of work of its own (`brief_read`), closed
before the handler runs: no request holds two pooled connections at once, and
no read transaction stays open while the handler waits for the write lock.
Handlers read through `SessionDep` and write inside `with transaction()`, both
from service.web.deps.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from starlette.datastructures import FormData

from service.access import Action, Caller, Forbidden, Scope, authorise
from service.errors import NotFound
from service.web import csrf
from service.web.deps import Access, read_access
from service.web.pages import cookies
from service.web.pages.routing import SignInRequired, forbidden, not_found


def session_token(request: Request) -> str:
    """The page session token from the cookie; without one, off to the sign-in page."""
    token = request.cookies.get(cookies.SESSION)
    if not token:
        raise SignInRequired
    return token


SessionToken = Annotated[str, Depends(session_token)]


def page_access_read(request: Request, token: SessionToken) -> Access:
    """The signed-in person with their roles, and the path's resource with its scope, in one read.

    An unknown, expired or revoked session signs out. `page_caller` and `page_access` share
    this read (FastAPI runs it once per request), as the API's dependencies share theirs.
    """
    access = read_access(token=token, kind="session", path_params=request.path_params)
    if access is None:
        raise SignInRequired
    return access


PageAccess = Annotated[Access, Depends(page_access_read)]


async def page_caller(access: PageAccess) -> Caller:
    """The signed-in person and their roles."""
    return access.caller


PageCaller = Annotated[Caller, Depends(page_caller)]


def require_csrf(token: SessionToken, csrf_token: Annotated[str, Form()] = "") -> None:
    """Refuse a form that does not carry the token bound to this browser's session."""
    if not csrf.is_valid(token, csrf_token):
        raise forbidden(
            "This form did not carry a valid security token, so nothing was changed. "
            "Go back, reload the page and try again."
        )


CsrfChecked = Annotated[None, Depends(require_csrf)]


READ_ONLY = (
    "You can read this team's work but not change it (coaches follow a team's cycle without "
    "editing it)."
)


def page_access(
    action: Action, refusal: str = READ_ONLY
) -> Callable[..., Coroutine[Any, Any, Scope]]:
    """Authorise `action` on the resource in the page's path, with the API's policy.

    What the caller may not read is not found; what they may read but not do is refused
    with `refusal`, which says why in the page's words.
    """

    async def authorised(access: PageAccess) -> Scope:
        try:
            return authorise(access.caller, action, access.resource)
        except NotFound as exc:
            raise not_found(exc.what) from exc
        except Forbidden as exc:
            raise forbidden(refusal) from exc

    return authorised


PageReads = Annotated[Scope, Depends(page_access(Action.READ))]
PageWorks = Annotated[Scope, Depends(page_access(Action.WORK))]
PageAdministers = Annotated[Scope, Depends(page_access(Action.ADMINISTER))]
PageChecksIn = Annotated[Scope, Depends(page_access(Action.CHECK_IN))]


async def submitted_form(request: Request) -> FormData:
    """The whole submitted form, for forms whose fields come from an artifact schema."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]
