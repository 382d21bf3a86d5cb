"""Page dependencies: the signed-in caller, the CSRF check and authorisation.

Each reads in a brief read-only unit of work of its own (`brief_read`), closed
before the handler runs: no request holds two pooled connections at once, and
no read transaction stays open while the handler waits for the write lock.
Handlers read through `SessionDep` and write inside `with transaction()`, both
from service.web.deps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.datastructures import FormData

from service.access import Action, Caller, Forbidden, Scope, check, load_caller, scope_for
from service.errors import NotFound
from service.security import person_for_token
from service.web import csrf
from service.web.deps import brief_read
from service.web.pages import cookies
from service.web.pages.routing import SignInRequired, forbidden, not_found
from service.web.request_context import note_user


def session_token(request: Request) -> str:
    """The page session token from the cookie; without one, off to the sign-in page."""
    token = request.cookies.get(cookies.SESSION)
    if not token:
        raise SignInRequired
    return token


SessionToken = Annotated[str, Depends(session_token)]


def page_caller(token: SessionToken) -> Caller:
    """The signed-in person and their roles; an unknown, expired or revoked session signs out."""
    with brief_read() as session:
        person = person_for_token(session=session, token=token, kind="session")
        if person is None:
            raise SignInRequired
        note_user(person.id)
        return load_caller(session=session, person=person)


PageCaller = Annotated[Caller, Depends(page_caller)]


def require_csrf(token: SessionToken, csrf_token: Annotated[str, Form()] = "") -> None:
    """Refuse a form that does not carry the token bound to this browser's session."""
    if not csrf.is_valid(token, csrf_token):
        raise forbidden(
            "This form did not carry a valid security token, so nothing was changed. "
            "Go back, reload the page and try again."
        )


CsrfChecked = Annotated[None, Depends(require_csrf)]


def page_access(action: Action) -> Callable[..., Scope]:
    """Authorise `action` on the resource in the page's path, with the API's policy."""

    def authorise(request: Request, caller: PageCaller) -> Scope:
        try:
            with brief_read() as session:
                scope, what, key = scope_for(session=session, path_params=request.path_params)
            check(caller, action, scope, what, key)
        except NotFound as exc:
            raise not_found(exc.what) from exc
        except Forbidden as exc:
            raise forbidden(
                "You can read this team's work but not change it (coaches follow a team's "
                "cycle without editing it)."
            ) from exc
        return scope

    return authorise


PageReads = Annotated[Scope, Depends(page_access(Action.READ))]
PageWorks = Annotated[Scope, Depends(page_access(Action.WORK))]
PageAdministers = Annotated[Scope, Depends(page_access(Action.ADMINISTER))]
PageChecksIn = Annotated[Scope, Depends(page_access(Action.CHECK_IN))]


async def submitted_form(request: Request) -> FormData:
    """The whole submitted form, for forms whose fields come from an artifact schema."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]
