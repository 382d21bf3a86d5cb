"""A program admin uploads a CSV file of survey responses; it is imported whole or not at all.

On success the page says how many rows went into which wave (POST, redirect, GET). A refused
file comes back with every problem, its row and its column, and nothing written; the form keeps
what was chosen, though a browser cannot be handed the file again.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from service.access import Caller
from service.errors import InvalidRequest, NotFound
from service.surveys.available import available_instruments
from service.surveys.importing import ImportRefused
from service.web.api.surveys import import_in_transaction
from service.web.deps import SessionDep, brief_read
from service.web.pages.deps import PageAdministers, PageCaller
from service.web.pages.flash import Flash, flash_shown, read_flash, redirect_with_flash
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute
from service.web.pages.survey_upload_form import CheckedUpload, read_upload
from service.web.pages.survey_upload_view import (
    UPLOAD_ROUTE,
    NotImported,
    Refusal,
    imported_message,
    upload_context,
    upload_path,
)
from service.web.pages.team import as_sentence

router = APIRouter(route_class=PageRoute)
TEMPLATE = "survey_upload.html"


@router.get(UPLOAD_ROUTE, name="survey_upload")
def show_upload_form(
    program_id: int,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    _: PageAdministers,
) -> Response:
    """The form, and what the last upload imported."""
    context = upload_context(session=session, program_id=program_id, flash=read_flash(request))
    return flash_shown(request, render(request, TEMPLATE, {"caller": caller, **context}))


def _import_upload(program_id: int, form: FormData) -> str | NotImported:
    """Import the submitted file; what it did in a sentence, or why nothing was written."""
    with brief_read() as session:
        titles = {c.name: c.title for c in available_instruments(session=session)}
    upload, draft = read_upload(form, instruments=titles)
    if upload is None:
        return NotImported(draft)
    try:
        result = import_in_transaction(
            program_id, upload.instrument, upload.file, upload.wave, upload.ignore_extra
        )
    except ImportRefused as exc:
        return NotImported(draft, Refusal(tuple(exc.problems), exc.total))
    except (InvalidRequest, NotFound) as exc:  # e.g. a registered instrument gone wrong
        return NotImported(replace(draft, errors={"instrument": as_sentence(str(exc))}))
    return imported_message(result, titles[upload.instrument])


def _form_again(request: Request, caller: Caller, program_id: int, why: NotImported) -> Response:
    """The form with what was wrong; nothing was written."""
    with brief_read() as session:
        context = upload_context(
            session=session, program_id=program_id, draft=why.draft, refusal=why.refusal
        )
    return render(request, TEMPLATE, {"caller": caller, **context}, status_code=422)


@router.post(UPLOAD_ROUTE)
async def upload_responses(
    program_id: int,
    request: Request,
    caller: PageCaller,
    form: CheckedUpload,
    _: PageAdministers,
) -> Response:
    """Import the uploaded file whole, or show every problem in it and import nothing."""
    # The reads, the import's own transaction and the file all stay on one worker thread.
    outcome = await run_in_threadpool(_import_upload, program_id, form)
    if isinstance(outcome, NotImported):
        return await run_in_threadpool(_form_again, request, caller, program_id, outcome)
    return redirect_with_flash(upload_path(program_id), Flash("done", outcome))
