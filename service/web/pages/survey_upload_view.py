"""What the survey upload page shows: the form, what an import did, or why it imported nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from service.settings import get_settings
from service.store.models import Program
from service.surveys.available import available_instruments
from service.surveys.importing import ImportResult
from service.surveys.outcomes import program_waves
from service.surveys.rows import Problem
from service.web.pages.flash import Flash
from service.web.pages.routing import not_found
from service.web.pages.survey_upload_form import UploadDraft


@dataclass(frozen=True)
class Refusal:
    """A file that was not imported: every problem kept, and how many there were in all."""

    problems: tuple[Problem, ...]
    total: int


@dataclass(frozen=True)
class NotImported:
    """Why an upload wrote nothing: the form's errors, or the file's problems."""

    draft: UploadDraft
    refusal: Refusal | None = None


UPLOAD_ROUTE = "/programs/{program_id}/surveys/upload"


def upload_path(program_id: int) -> str:
    return UPLOAD_ROUTE.format(program_id=program_id)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def imported_message(result: ImportResult, title: str) -> str:
    """What an import did, in a sentence: rows, waves, and how many replaced earlier answers."""
    if len(result.waves) == 1:
        where = f"wave {next(iter(result.waves))}"
    else:
        where = "waves " + ", ".join(f"{w} ({_count(n, 'row')})" for w, n in result.waves.items())
    new = result.rows - result.replaced
    return (
        f"Imported {_count(result.rows, 'response')} to {title} into {where}: {new:,} new, "
        f"{result.replaced:,} replacing what the same respondents answered before."
    )


def upload_context(
    *,
    session: Session,
    program_id: int,
    draft: UploadDraft | None = None,
    refusal: Refusal | None = None,
    flash: Flash | None = None,
) -> dict[str, Any]:
    """The upload form for the program's admins, with the waves it already holds."""
    program = session.get(Program, program_id)
    if program is None:  # authorisation has found it; this is a program deleted meanwhile
        raise not_found("program")
    return {
        "program": program.name,
        "program_id": program_id,
        "nav_program_id": program_id,
        "action": upload_path(program_id),
        "instruments": available_instruments(session=session),
        "waves": program_waves(session=session, program_id=program_id),
        "draft": draft or UploadDraft(),
        "refusal": refusal,
        "max_mib": get_settings().survey_upload_max_mib,
        "flash": flash,
    }
