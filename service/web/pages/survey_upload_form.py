"""Reading the survey upload form: a body of bounded size, then its fields checked.

The size is checked against the declared Content-Length before a byte of the body is read (the
server stops reading a body at its declared length, so the declaration bounds it); a body sent
without one is refused rather than read to an unknown size. A browser always declares it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass, field
from typing import IO, Annotated

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import FormData, UploadFile

from service.settings import get_settings
from service.surveys.importing import MAX_WAVE_LENGTH
from service.web.pages.deps import SessionToken, require_csrf
from service.web.pages.routing import PageRefusal

FORM_OVERHEAD_BYTES = 64 * 1024
"""Room for the multipart boundaries and the small fields sent beside the file."""
MAX_FIELDS = 10


@dataclass(frozen=True)
class UploadDraft:
    """The upload form as submitted (the file itself cannot be sent back), and its errors."""

    instrument: str = ""
    wave: str = ""
    ignore_extra: bool = False
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Upload:
    instrument: str
    wave: str | None
    ignore_extra: bool
    file: IO[bytes]


def _check_declared_length(request: Request) -> None:
    raw = request.headers.get("content-length", "")
    if not (raw.isascii() and raw.isdigit()):
        raise PageRefusal(
            status.HTTP_411_LENGTH_REQUIRED,
            "Length required",
            "The upload did not say how large it is, so it was not read. Send it from the form.",
        )
    limit = get_settings().survey_upload_max_mib
    if int(raw) > limit * 2**20 + FORM_OVERHEAD_BYTES:
        raise PageRefusal(
            status.HTTP_413_CONTENT_TOO_LARGE,
            "File too large",
            f"The file is larger than {limit} MiB, so nothing was imported. Split it "
            "into smaller files, or import it with `improve survey import`.",
        )


async def checked_upload(request: Request, token: SessionToken) -> AsyncIterator[FormData]:
    """The submitted form, of an acceptable size and carrying this session's CSRF token.

    Its file is closed once the request is answered.
    """
    _check_declared_length(request)
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS)
    except HTTPException as exc:  # Starlette's answer to a malformed multipart body
        raise PageRefusal(
            status.HTTP_400_BAD_REQUEST,
            "Upload unreadable",
            f"The upload could not be read: {exc.detail}",
        ) from exc
    try:
        require_csrf(token, text_field(form, "csrf_token"))
        yield form
    finally:
        await form.close()


CheckedUpload = Annotated[FormData, Depends(checked_upload)]


def text_field(form: FormData, name: str) -> str:
    """A text field's value; a file sent in its place counts as blank."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def read_upload(
    form: FormData, *, instruments: Collection[str]
) -> tuple[Upload | None, UploadDraft]:
    """The upload to import, or None with the errors to show beside each field."""
    instrument = text_field(form, "instrument")
    wave = text_field(form, "wave").strip()
    ignore_extra = text_field(form, "ignore_extra") == "yes"
    file = form.get("file")
    errors = {}
    if instrument not in instruments:
        errors["instrument"] = "Choose the survey the file answers."
    if len(wave) > MAX_WAVE_LENGTH:
        errors["wave"] = f"Keep the wave label to {MAX_WAVE_LENGTH} characters or fewer."
    if not isinstance(file, UploadFile) or not file.filename:
        errors["file"] = "Choose the CSV file of responses to import."
    draft = UploadDraft(instrument, wave, ignore_extra, errors)
    if errors or not isinstance(file, UploadFile):
        return None, draft
    return Upload(instrument, wave or None, ignore_extra, file.file), draft
