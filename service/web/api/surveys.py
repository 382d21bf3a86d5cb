"""Survey responses in (a CSV file), program outcomes out."""

from __future__ import annotations

import tempfile
from typing import IO, Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from service.surveys.importing import ImportRefused, ImportResult, import_responses
from service.surveys.instruments import SLUG
from service.surveys.outcomes import program_outcomes
from service.surveys.registry import instrument_named
from service.surveys.report import OutcomesOut, outcomes_out
from service.surveys.school_scores import latest_school_scores
from service.surveys.suggestions import Suggestion, shown
from service.web.deps import Administers, Reads, SessionDep, transaction
from service.web.errors import Invalid, documented
from service.web.schemas import Id

router = APIRouter(
    prefix="/api", tags=["surveys"], responses=documented(400, 401, 403, 404, 413, 415, 422)
)

MAX_UPLOAD_BYTES = 256 * 1024 * 1024
IN_MEMORY_BYTES = 1024 * 1024
"""An upload larger than this is spooled to a temporary file, so memory stays flat."""
CHUNK_BYTES = 64 * 1024

InstrumentName = Annotated[str, Path(pattern=SLUG, max_length=100)]
Wave = Annotated[str | None, Query(min_length=1, max_length=50, description="default: school year")]


class ImportOut(BaseModel):
    instrument: str
    rows: int
    replaced: int
    waves: dict[str, int]


class ProblemOut(BaseModel):
    row: int
    column: str | None
    message: str


class ImportRefusedOut(BaseModel):
    message: str
    problems: list[ProblemOut]
    problems_total: int


class ImportRefusedBody(BaseModel):
    detail: ImportRefusedOut


CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


async def _receive_csv(request: Request, spool: IO[bytes]) -> None:
    """Copy the CSV (the raw body, or the multipart field `file`) into `spool`, bounded."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    received = 0

    def keep(chunk: bytes) -> None:
        nonlocal received
        received += len(chunk)
        if received > MAX_UPLOAD_BYTES:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                detail=f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MiB",
            )
        spool.write(chunk)

    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                    detail="send the CSV as the multipart field `file`",
                )
            while chunk := await upload.read(CHUNK_BYTES):
                keep(chunk)
    elif content_type in ("text/csv", "application/csv"):
        async for chunk in request.stream():
            keep(chunk)
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="send the CSV as text/csv, or as the field `file` of multipart/form-data",
        )


def import_in_transaction(
    program_id: int, instrument: str, source: IO[bytes], wave: str | None, ignore_extra: bool
) -> ImportResult:
    """Import a file in a unit of work of its own (call it on one worker thread, start to end)."""
    with transaction() as session:
        return import_responses(
            session=session,
            program_id=program_id,
            instrument=instrument_named(session=session, name=instrument),
            source=source,
            wave=wave,
            ignore_extra=ignore_extra,
        )


@router.post(
    "/programs/{program_id}/surveys/{instrument}/responses",
    response_model=ImportOut,
    responses={422: {"model": ImportRefusedBody | Invalid, "description": "Nothing was imported"}},
    openapi_extra=CSV_BODY,
)
async def import_survey_responses(
    program_id: Id,
    instrument: InstrumentName,
    request: Request,
    _: Administers,
    wave: Wave = None,
    ignore_extra: bool = False,
) -> ImportOut | JSONResponse:
    """Import a CSV of responses whole, or nothing of it, listing every problem (program admins).

    Re-importing a respondent for the same instrument and wave replaces their answers.
    """
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as spool:
        await _receive_csv(request, spool)
        try:
            result = await run_in_threadpool(
                import_in_transaction, program_id, instrument, spool, wave, ignore_extra
            )
        except ImportRefused as exc:
            body = ImportRefusedOut(
                message=str(exc),
                problems=[
                    ProblemOut(row=p.row, column=p.column, message=p.message) for p in exc.problems
                ],
                problems_total=exc.total,
            )
            return JSONResponse(
                status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                content={"detail": body.model_dump(mode="json")},
            )
    return ImportOut(
        instrument=result.instrument, rows=result.rows, replaced=result.replaced, waves=result.waves
    )


@router.get("/programs/{program_id}/outcomes", response_model=OutcomesOut)
def get_outcomes(
    program_id: Id,
    session: SessionDep,
    _: Reads,
    from_wave: Annotated[str, Query(alias="from", min_length=1, max_length=50)],
    to_wave: Annotated[str, Query(alias="to", min_length=1, max_length=50)],
) -> OutcomesOut:
    """Conditions improved and efficacy between two waves; small schools are suppressed."""
    return outcomes_out(
        program_outcomes(
            session=session, program_id=program_id, from_wave=from_wave, to_wave=to_wave
        )
    )


class ConditionScoreOut(BaseModel):
    condition: str
    n: int
    score: float | None = Field(description="null when suppressed: fewer than min_n respondents")
    suppressed: bool


class SuggestionOut(BaseModel):
    condition: str
    score: float
    tied_with: list[str] = Field(
        description="conditions with the same score; the one suggested comes first in the playbook"
    )


class TeamSurveyScoresOut(BaseModel):
    """The team's school in its latest wave; `wave` is null when the school has no survey data."""

    team_id: int
    school_id: int
    wave: str | None
    min_n: int
    conditions: list[ConditionScoreOut]
    greatest_need: SuggestionOut | None = Field(
        description="the lowest unsuppressed score; null unless two or more scores differ"
    )
    greatest_strength: SuggestionOut | None = Field(
        description="the highest unsuppressed score; null unless two or more scores differ"
    )


def _suggestion_out(suggestion: Suggestion | None) -> SuggestionOut | None:
    if suggestion is None:
        return None
    return SuggestionOut(
        condition=suggestion.condition,
        score=suggestion.score,
        tied_with=list(suggestion.tied_with),
    )


@router.get("/teams/{team_id}/survey-scores", response_model=TeamSurveyScoresOut)
def get_team_survey_scores(team_id: Id, session: SessionDep, scope: Reads) -> TeamSurveyScoresOut:
    """The team's own school's condition scores in its latest wave, and what they suggest."""
    assert scope.school_id is not None  # a team's scope always names its school
    scores = latest_school_scores(session=session, school_id=scope.school_id)
    return TeamSurveyScoresOut(
        team_id=team_id,
        school_id=scores.school_id,
        wave=scores.wave,
        min_n=scores.min_n,
        conditions=[
            ConditionScoreOut(
                condition=line.condition,
                n=line.score.n,
                score=None if line.score.mean is None else shown(line.score.mean),
                suppressed=line.score.suppressed,
            )
            for line in scores.conditions
        ],
        greatest_need=_suggestion_out(scores.suggestions.greatest_need),
        greatest_strength=_suggestion_out(scores.suggestions.greatest_strength),
    )
