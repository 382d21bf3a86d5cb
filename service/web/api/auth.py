"""Signing in for the API (OAuth2 password flow), revoking a token, and who am I."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from service.security import issue_token, revoke_token
from service.settings import get_settings
from service.sign_in_limits import clear_account
from service.web.deps import CurrentCaller, get_token, transaction
from service.web.errors import Refusal, documented
from service.web.schemas import MeOut, Token
from service.web.sign_in_guard import SignInLocked, attempt_from, verify_password

router = APIRouter(prefix="/api", tags=["auth"])


TOO_MANY_FAILURES = {
    429: {"model": Refusal, "description": "too many failed sign-ins; retry after Retry-After"}
}


@router.post("/auth/token", response_model=Token, responses=documented(401) | TOO_MANY_FAILURES)
def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange an e-mail (`username`) and password for a bearer token.

    After too many failures for the e-mail or from the client's address, every attempt
    (the right password too) gets 429 until the oldest of them leaves the window.
    """
    ttl = dt.timedelta(minutes=get_settings().token_ttl_minutes)
    attempt = attempt_from(request, form.username)
    # The attempt is admitted and counted first; the password (slow by design) is checked after,
    # with no write lock held.
    try:
        person = verify_password(attempt, form.password)
    except SignInLocked as locked:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, detail=str(locked), headers=locked.headers
        ) from None
    if person is None or person.id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong e-mail or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with transaction() as session:
        clear_account(session=session, attempt=attempt)
        token = issue_token(session=session, person_id=person.id, kind="api", ttl=ttl)
    return Token(access_token=token, expires_in=int(ttl.total_seconds()))


@router.post("/auth/revoke", status_code=status.HTTP_204_NO_CONTENT, responses=documented(401))
def revoke(caller: CurrentCaller, token: Annotated[str, Depends(get_token)]) -> None:
    """Revoke the token this request carries; it stops working at once."""
    with transaction() as session:
        revoke_token(session=session, token=token)


@router.get("/users/me", response_model=MeOut, responses=documented(401))
def me(caller: CurrentCaller) -> MeOut:
    """The signed-in person and the roles they hold."""
    return MeOut(
        id=caller.person_id,
        email=caller.email,
        name=caller.name,
        is_site_admin=caller.is_site_admin,
        roles=caller.roles,
        member_of=sorted(caller.member_of),
        coach_of=sorted(caller.coach_of),
        admin_of=sorted(caller.admin_of),
    )
