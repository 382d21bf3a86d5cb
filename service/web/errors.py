"""Domain refusals mapped to HTTP once: every body says what is wrong and where."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError

from engine.errors import (
    ArtifactInvalid,
    ConcurrentChange,
    DefinitionError,
    GatesUnmet,
    InstanceClosed,
    TransitionRefused,
    TriggerNotAvailable,
    UnknownArtifact,
    UnknownTrigger,
)
from service.access import Forbidden
from service.errors import CycleAlreadyOpen, InvalidRequest, NotFound, OnboardingAlreadyOpen


class Refusal(BaseModel):
    """Every refusal but a conflict or invalid input: one sentence saying what is wrong."""

    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Invalid(BaseModel):
    """A request the route cannot act on: each field's problem, or one sentence."""

    detail: list[FieldProblem] | str


class UnmetGate(BaseModel):
    gate: str
    reason: str


class ConflictDetail(BaseModel):
    message: str
    kind: str
    trigger: str | None = None
    unmet: list[UnmetGate] | None = None


class Conflict(BaseModel):
    """The cycle refused: a gate is unmet, the state moved on, or the work is already open."""

    detail: ConflictDetail


REFUSALS: dict[int, tuple[type[BaseModel], str]] = {
    400: (Refusal, "the request could not be read"),
    401: (Refusal, "no token, or an unknown, expired or revoked one"),
    403: (Refusal, "the caller may see this but not do it"),
    404: (Refusal, "no such thing, or the caller may not know it exists"),
    409: (Conflict, "refused by the cycle"),
    413: (Refusal, "the upload is too large"),
    415: (Refusal, "the upload is not in a format this route reads"),
    422: (Invalid, "the input is invalid; nothing was changed"),
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a router's routes may answer with, as FastAPI `responses=` documents them."""
    return {
        code: {"model": model, "description": description}
        for code, (model, description) in REFUSALS.items()
        if code in codes
    }


def _json(code: int, detail: object) -> JSONResponse:
    return JSONResponse(status_code=code, content={"detail": detail})


def _refusal_kind(exc: TransitionRefused) -> str:
    kinds: dict[type, str] = {
        TriggerNotAvailable: "not_available",
        ConcurrentChange: "changed_meanwhile",
        InstanceClosed: "closed",
        CycleAlreadyOpen: "already_open",
        OnboardingAlreadyOpen: "already_open",
    }
    return kinds.get(type(exc), "refused")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Say where and what, but never echo the input: it may be a password.
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)

    @app.exception_handler(GatesUnmet)
    async def gates_unmet(_: Request, exc: GatesUnmet) -> JSONResponse:
        unmet = [{"gate": u.gate, "reason": u.reason} for u in exc.unmet]
        return _json(
            status.HTTP_409_CONFLICT,
            {"message": str(exc), "kind": "gates_unmet", "trigger": exc.trigger, "unmet": unmet},
        )

    @app.exception_handler(TransitionRefused)
    async def refused(_: Request, exc: TransitionRefused) -> JSONResponse:
        return _json(status.HTTP_409_CONFLICT, {"message": str(exc), "kind": _refusal_kind(exc)})

    @app.exception_handler(ArtifactInvalid)
    async def invalid(_: Request, exc: ArtifactInvalid) -> JSONResponse:
        errors = [{"loc": ["body", *e.path.split(".")], "msg": e.message} for e in exc.errors]
        return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)

    @app.exception_handler(InvalidRequest)
    async def invalid_request(_: Request, exc: InvalidRequest) -> JSONResponse:
        return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))

    for missing in (NotFound, UnknownTrigger, UnknownArtifact):

        @app.exception_handler(missing)
        async def not_found(_: Request, exc: Exception) -> JSONResponse:
            return _json(status.HTTP_404_NOT_FOUND, str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return _json(status.HTTP_403_FORBIDDEN, str(exc))

    @app.exception_handler(DataError)
    async def unstorable(_: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the schemas let through, such as a NUL character in
        # text (PostgreSQL's text cannot hold one); the unit of work has rolled back.
        return _json(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "a value could not be stored: text may not hold NUL characters, numbers must fit",
        )

    @app.exception_handler(DefinitionError)
    async def broken_definition(_: Request, exc: DefinitionError) -> JSONResponse:
        return _json(status.HTTP_500_INTERNAL_SERVER_ERROR, f"workflow definition problem: {exc}")
