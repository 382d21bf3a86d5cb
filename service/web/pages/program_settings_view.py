"""What the program's settings page shows: the stall threshold and the sign-off triggers.

The choosable triggers are the ones the API's settings answer as signable; each is named in
words, with the documents a coach signs off before a team may take that step.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.catalog import get_catalog
from service.feedback import STALL_DAYS, signable_triggers
from service.store.models import Program
from service.web.pages.cycle_view import trigger_label
from service.web.pages.flash import Flash

STALL_DAYS_FIELD, TRIGGERS_FIELD = "stall_days", "signoff_triggers"
FEWEST_DAYS, MOST_DAYS = STALL_DAYS[0], STALL_DAYS[-1]


def settings_path(program_id: int) -> str:
    return f"/programs/{program_id}/settings"


@dataclass(frozen=True)
class SettingsDraft:
    """Settings the server refused: the input as typed, and a message for each field."""

    stall_days: str
    signoff_triggers: tuple[str, ...]
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerChoice:
    """A step a program may hold back until a coach signs off the documents it is judged on."""

    trigger: str
    label: str
    documents: tuple[str, ...]
    checked: bool


def parse_stall_days(raw: str) -> int | str:
    """The whole number of days typed, or the message shown beside the field."""
    raw = raw.strip()
    bounds = f"from {FEWEST_DAYS} to {MOST_DAYS}"
    if not (raw.isascii() and raw.isdigit()):
        return f"Give the number of days as a whole number, {bounds}."
    days = int(raw)
    if days not in STALL_DAYS:
        return f"Choose a number of days {bounds} (not {days})."
    return days


def _documents(trigger: str) -> tuple[str, ...]:
    """The titles of the documents a sign-off on `trigger` counts for, in any cycle."""
    catalog = get_catalog()
    kinds = [
        kind
        for d in catalog.definitions.values()
        if d.kind == "cycle" and trigger in d.triggers
        for kind in catalog.current_workflow(d.name).signoff_kinds(trigger, {trigger})
    ]
    artifacts = catalog.content.artifacts
    return tuple(artifacts[k].title if k in artifacts else k for k in dict.fromkeys(kinds))


def trigger_choices(checked: Collection[str]) -> tuple[TriggerChoice, ...]:
    """Every trigger the program may ask a sign-off for, ticked where `checked` names it."""
    # A step's destination only names a step back, which never needs a sign-off.
    return tuple(
        TriggerChoice(t, trigger_label(t, ""), _documents(t), t in checked)
        for t in signable_triggers()
    )


def settings_context(
    program: Program, *, draft: SettingsDraft | None = None, flash: Flash | None = None
) -> dict[str, Any]:
    """The form with the program's saved settings, or with the refused input as typed."""
    if draft is None:
        draft = SettingsDraft(str(program.stall_days), tuple(program.signoff_triggers))
    return {
        "program_id": program.id,
        "program": program.name,
        "stall_days": draft.stall_days,
        "choices": trigger_choices(draft.signoff_triggers),
        "errors": draft.errors,
        "fewest_days": FEWEST_DAYS,
        "most_days": MOST_DAYS,
        "flash": flash,
    }
