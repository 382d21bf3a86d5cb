"""The instruments responses can be imported to: every registered one, and those the pack ships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from service.settings import get_settings
from service.store.models import SurveyInstrument
from service.surveys.instruments import load_instrument_file
from service.surveys.registry import shipped_instrument_path


@dataclass(frozen=True)
class InstrumentChoice:
    name: str
    title: str


def available_instruments(*, session: Session) -> list[InstrumentChoice]:
    """Every registered instrument and every one the content pack ships, by title."""
    registered = dict(session.exec(select(SurveyInstrument.name, SurveyInstrument.title)).all())
    folder = get_settings().content_dir / "instruments"
    shipped = {
        path.stem: load_instrument_file(path).title
        for path in folder.glob("*.yaml")
        if path.stem not in registered and shipped_instrument_path(path.stem) == path
    }
    choices = [InstrumentChoice(name, title) for name, title in (registered | shipped).items()]
    return sorted(choices, key=lambda choice: (choice.title, choice.name))
