"""Signing in and out of the pages, with a session cookie."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from service.access import load_caller
from service.security import issue_token, revoke_token
from service.settings import get_settings
from service.sign_in_limits import clear_account
from service.web import csrf
from service.web.deps import brief_read, transaction
from service.web.pages import cookies
from service.web.pages.deps import CsrfChecked, PageCaller, SessionToken
from service.web.pages.home import home_path
from service.web.pages.rendering import render
from service.web.pages.routing import SIGN_IN, PageRoute, forbidden
from service.web.sign_in_guard import SignInLocked, attempt_from, verify_password

router = APIRouter(route_class=PageRoute)

WRONG_CREDENTIALS = "That e-mail and password do not match an account. Check both and try again."
PRESESSION_SECONDS = 60 * 60


@router.get("/", name="home")
def home(caller: PageCaller) -> Response:
    """The signed-in person's home; the sign-in page for anyone else."""
    return RedirectResponse(home_path(caller), status_code=303)


def _sign_in_page(
    request: Request, nonce: str, *, email: str = "", error: str | None = None, status_code: int
) -> Response:
    context = {"csrf_token": csrf.token_for(nonce), "email": email, "error": error}
    response = render(request, "sign_in.html", context, status_code=status_code)
    cookies.set_cookie(response, cookies.PRESESSION, nonce, max_age=PRESESSION_SECONDS)
    return response


@router.get(SIGN_IN, name="sign_in")
def sign_in_form(request: Request) -> Response:
    nonce = request.cookies.get(cookies.PRESESSION) or csrf.new_nonce()
    return _sign_in_page(request, nonce, status_code=200)


@router.post(SIGN_IN)
def sign_in(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Check the password; on success start a page session and go to the person's home."""
    nonce = request.cookies.get(cookies.PRESESSION)
    if nonce is None or not csrf.is_valid(nonce, csrf_token):
        raise forbidden(
            "The sign-in form had expired or did not come from this site. "
            "Open the sign-in page again and retry."
        )
    attempt = attempt_from(request, email)
    # The attempt is admitted and counted first; the password (slow by design) is checked after,
    # in a read with no write lock held.
    try:
        person = verify_password(attempt, password)
    except SignInLocked as locked:
        response = _sign_in_page(request, nonce, email=email, error=str(locked), status_code=429)
        response.headers.update(locked.headers)
        return response
    if person is None:
        # One message whether the e-mail or the password was wrong.
        return _sign_in_page(request, nonce, email=email, error=WRONG_CREDENTIALS, status_code=401)
    with brief_read() as session:
        caller = load_caller(session=session, person=person)
    previous = request.cookies.get(cookies.SESSION)
    ttl = dt.timedelta(minutes=get_settings().token_ttl_minutes)
    with transaction() as session:
        clear_account(session=session, attempt=attempt)
        if previous:
            revoke_token(session=session, token=previous)
        token = issue_token(session=session, person_id=caller.person_id, kind="session", ttl=ttl)
    response = RedirectResponse(home_path(caller), status_code=303)
    cookies.set_cookie(response, cookies.SESSION, token, max_age=int(ttl.total_seconds()))
    cookies.delete_cookie(response, cookies.PRESESSION)
    return response


@router.post("/sign-out")
def sign_out(token: SessionToken, _csrf: CsrfChecked) -> Response:
    """Revoke the page session at once, and forget the cookie."""
    with transaction() as session:
        revoke_token(session=session, token=token)
    response = RedirectResponse(SIGN_IN, status_code=303)
    cookies.delete_cookie(response, cookies.SESSION)
    return response
