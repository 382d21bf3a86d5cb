"""The instrument registry: responses are scored against the body registered under their name.

An instrument is registered the first time it is used, from a YAML file or from the content
pack's `instruments/` folder. A name keeps its first body: changing the items under a name would
silently change the scores of every response already imported, so it is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import Session, col, select

from service.errors import InvalidRequest, NotFound
from service.settings import get_settings
from service.store.models import SurveyInstrument
from service.surveys.instruments import SLUG, Instrument, load_instrument_file, parse_instrument


def shipped_instrument_path(name: str) -> Path | None:
    """The content pack's file for `name`, if it ships one (names are slugs, never paths)."""
    if not re.fullmatch(SLUG, name):
        return None
    path = get_settings().content_dir / "instruments" / f"{name}.yaml"
    return path if path.is_file() else None


def register_instrument(*, session: Session, instrument: Instrument) -> SurveyInstrument:
    """Store an instrument under its name, or confirm the stored body is the same one."""
    stored = session.exec(
        select(SurveyInstrument).where(SurveyInstrument.name == instrument.name)
    ).first()
    digest = instrument.digest()
    if stored is None:
        stored = SurveyInstrument(
            name=instrument.name, title=instrument.title, digest=digest, body=instrument.body()
        )
        session.add(stored)
        session.flush()
    elif stored.digest != digest:
        raise InvalidRequest(
            f"an instrument named {instrument.name!r} is already registered with other content; "
            "give the changed instrument a new name"
        )
    return stored


def instrument_named(*, session: Session, name: str) -> Instrument:
    """A registered instrument, or one the content pack ships (registered on first use)."""
    stored = session.exec(select(SurveyInstrument).where(SurveyInstrument.name == name)).first()
    if stored is not None:
        return parse_instrument(stored.body, f"registered instrument {name!r}")
    path = shipped_instrument_path(name)
    if path is None:
        raise NotFound("instrument", repr(name))
    instrument = load_instrument_file(path)
    if instrument.name != name:
        raise InvalidRequest(f"{path}: names itself {instrument.name!r}, not {name!r}")
    register_instrument(session=session, instrument=instrument)
    return instrument


def resolve_instrument(*, session: Session, name_or_file: str) -> Instrument:
    """For the command line: a YAML file (registered if new) or a name, as `instrument_named`."""
    path = Path(name_or_file)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        instrument = load_instrument_file(path)
        register_instrument(session=session, instrument=instrument)
        return instrument
    return instrument_named(session=session, name=name_or_file)


def registered_instruments(*, session: Session, names: set[str]) -> dict[str, Instrument]:
    """The stored bodies of the named instruments, parsed."""
    rows = session.exec(select(SurveyInstrument).where(col(SurveyInstrument.name).in_(names))).all()
    return {
        row.name: parse_instrument(row.body, f"registered instrument {row.name!r}") for row in rows
    }
