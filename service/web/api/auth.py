"""Signing in for the API (OAuth2 password flow), revoking a token, and who am I."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from service.security import authenticate, issue_token, revoke_token
from service.settings import get_settings
from service.web.deps import CurrentCaller, brief_read, get_token, transaction
from service.web.schemas import MeOut, Token

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/auth/token", response_model=Token)
def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange an e-mail (`username`) and password for a bearer token."""
    ttl = dt.timedelta(minutes=get_settings().token_ttl_minutes)
    # Verify the password (slow by design) before taking any write lock.
    with brief_read() as session:
        person = authenticate(session=session, email=form.username, password=form.password)
    if person is None or person.id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong e-mail or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with transaction() as session:
        token = issue_token(session=session, person_id=person.id, kind="api", ttl=ttl)
    return Token(access_token=token, expires_in=int(ttl.total_seconds()))


@router.post("/auth/revoke", status_code=status.HTTP_204_NO_CONTENT)
def revoke(caller: CurrentCaller, token: Annotated[str, Depends(get_token)]) -> None:
    """Revoke the token this request carries; it stops working at once."""
    with transaction() as session:
        revoke_token(session=session, token=token)


@router.get("/users/me", response_model=MeOut)
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
