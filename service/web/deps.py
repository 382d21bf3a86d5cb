"""Request-scoped dependencies: the database session, the caller, and authorisation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from service.access import Action, Caller, Resource, Scope, authorise, load_caller, resource_in
from service.security import TokenKind, identity_for_token
from service.settings import get_settings
from service.store.database import get_engine, unit_of_work
from service.web.request_context import note_user

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_session() -> Iterator[Session]:
    """A read-only unit of work for a route that only reads."""
    with unit_of_work(get_engine(get_settings().database_url), write=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def transaction() -> AbstractContextManager[Session]:
    """The unit of work for a route that writes: `with transaction() as session: ...`.

    It commits when the block ends, inside the route's own worker thread and before
    the route returns. It cannot be a yield-dependency that commits afterwards:
    FastAPI serialises a sync route's result on another worker thread before such a
    dependency exits, so while every worker waits for a row or database lock, the
    transaction holding that lock would wait for a worker forever.
    """
    return unit_of_work(get_engine(get_settings().database_url), write=True)


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def _required_token(token: str | None) -> str:
    if not token:
        raise _unauthorised("sign in first: send Authorization: Bearer <token>")
    return token


async def get_token(token: Annotated[str | None, Depends(oauth2_scheme)]) -> str:
    # Async, like every dependency here that does no I/O: a sync one costs a worker thread hop.
    return _required_token(token)


@contextmanager
def brief_read() -> Iterator[Session]:
    """A short read-only transaction of its own, closed as soon as its block ends.

    Sign-in and permission checks (and any read a handler makes before or after its
    write) use one, so a writer's transaction, and SQLite's single write lock, lasts
    only as long as the write itself, and no request holds two pooled connections.
    It always reads, so like a writing unit of work it begins on a connection of its
    own and binds the session to it: Core statements run straight on that connection
    (`connection_of`), without the ORM's transaction bookkeeping.
    """
    engine = get_engine(get_settings().database_url)
    with (
        engine.connect() as connection,
        connection.begin(),
        Session(
            bind=connection, expire_on_commit=False, join_transaction_mode="rollback_only"
        ) as session,
    ):
        yield session


@dataclass(frozen=True)
class Access:
    """The caller and the resource the request's path names, as one read found them."""

    caller: Caller
    resource: Resource | None


def read_access(*, token: str, kind: TokenKind, path_params: dict[str, str]) -> Access | None:
    """The token's owner with their roles, and the path's resource with its scope, in one read.

    None when the token is unknown, expired, revoked or of another kind. The API and the
    pages each name their caller with it once per request, in one short transaction.
    """
    with brief_read() as session:
        person = identity_for_token(session=session, token=token, kind=kind)
        if person is None:
            return None
        note_user(person.id)
        caller = load_caller(session=session, person=person)
        return Access(caller, resource_in(session=session, path_params=path_params))


def get_access(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Access:
    """The API caller and the path's resource (`read_access`), or 401.

    `CurrentCaller` and `require` share it (FastAPI runs it once per request): one
    transaction and one worker thread hop where reading them apart took two of each. It
    takes the token straight from the scheme: each level of dependency costs every request.
    """
    access = read_access(token=_required_token(token), kind="api", path_params=request.path_params)
    if access is None:
        raise _unauthorised("the token is unknown, expired or revoked; sign in again")
    return access


AccessDep = Annotated[Access, Depends(get_access)]


async def get_caller(access: AccessDep) -> Caller:
    return access.caller


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def require(action: Action) -> Callable[..., Coroutine[Any, Any, Scope]]:
    """Authorise `action` on the most specific resource in the route's path.

    Every API route with a resource in its path depends on exactly one of these,
    so the rule for each route can be read off the route table.
    """

    async def authorised(access: AccessDep) -> Scope:
        return authorise(access.caller, action, access.resource)

    authorised.action = action  # type: ignore[attr-defined]
    return authorised


async def require_site_admin(caller: CurrentCaller) -> Caller:
    if not caller.is_site_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only a site admin may do this")
    return caller


async def require_any_admin(caller: CurrentCaller) -> Caller:
    if not (caller.is_site_admin or caller.admin_of):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="only a site or program admin may do this"
        )
    return caller


Reads = Annotated[Scope, Depends(require(Action.READ))]
Works = Annotated[Scope, Depends(require(Action.WORK))]
Administers = Annotated[Scope, Depends(require(Action.ADMINISTER))]
