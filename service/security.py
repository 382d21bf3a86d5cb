"""Passwords (argon2, through pwdlib) and opaque access tokens stored only as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import cache
from typing import Literal

from pwdlib import PasswordHash
from sqlalchemy import Row, bindparam, update
from sqlmodel import Session, select

from service.store.database import connection_of
from service.store.models import AccessToken, Person, utcnow

TokenKind = Literal["api", "session", "calendar"]
_hasher = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so sign-in takes as long either way.

    Made on first use, not at import: one argon2 hash costs every process start (each CLI
    command and each uvicorn worker) about a quarter of a second.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(*, session: Session, email: str, password: str) -> Person | None:
    """The person with this e-mail and password, or None (without saying which was wrong)."""
    person = session.exec(select(Person).where(Person.email == email.strip().lower())).first()
    if person is None or person.password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return None
    return person if _hasher.verify(password, person.password_hash) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, person_id: int, kind: TokenKind, ttl: dt.timedelta) -> str:
    """A new random token; the caller hands it out, the database keeps only its hash."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccessToken(
            person_id=person_id,
            kind=kind,
            token_hash=_digest(token),
            expires_at=utcnow() + ttl,
        )
    )
    session.flush()
    return token


_PEOPLE, _TOKENS = Person.__table__.c, AccessToken.__table__.c
_LIVE_TOKEN = (
    _TOKENS.token_hash == bindparam("digest"),
    _TOKENS.kind == bindparam("kind"),
    _TOKENS.revoked_at.is_(None),
    _TOKENS.expires_at > bindparam("now"),
)
# Every authenticated request runs one of these; built once, SQLAlchemy memoises their cache keys.
_TOKEN_OWNER = select(Person).join(AccessToken, _TOKENS.person_id == _PEOPLE.id).where(*_LIVE_TOKEN)
_TOKEN_IDENTITY = (
    select(_PEOPLE.id, _PEOPLE.name, _PEOPLE.email, _PEOPLE.is_site_admin)
    .join_from(Person.__table__, AccessToken.__table__, _TOKENS.person_id == _PEOPLE.id)
    .where(*_LIVE_TOKEN)
)


def _live(token: str, kind: TokenKind) -> dict[str, object]:
    return {"digest": _digest(token), "kind": kind, "now": utcnow()}


def person_for_token(*, session: Session, token: str, kind: TokenKind) -> Person | None:
    """The token's owner if the token exists, is of this kind, unexpired and not revoked."""
    return session.exec(_TOKEN_OWNER, params=_live(token, kind)).first()


def identity_for_token(
    *, session: Session, token: str, kind: TokenKind
) -> Row[tuple[int, str, str, bool]] | None:
    """`person_for_token`'s answer as a row of id, name, email and is_site_admin, without the ORM.

    Every API request names its caller with this, so it skips the ORM's entity loading.
    """
    return connection_of(session).execute(_TOKEN_IDENTITY, _live(token, kind)).first()


def revoke_token(*, session: Session, token: str) -> None:
    session.execute(
        update(AccessToken)
        .where(AccessToken.token_hash == _digest(token), AccessToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )
