"""What a fire costs the database: a fixed handful of statements, none it does not need."""

from __future__ import annotations

import re

from factories import fire, new_cycle, save, theory_of_action
from sqlalchemy import Engine
from statement_count import recorded_statements


def _fired(db: Engine, cycle_id: int, trigger: str) -> list[str]:
    """The statements of one fire, leaving out the BEGIN that opens its transaction."""
    with recorded_statements(db) as seen:
        fire(db, cycle_id, trigger, reason="Bench")
    return [s for s in seen if not s.lstrip().upper().startswith("BEGIN")]


def test_a_fire_locks_reads_writes_and_appends_in_five_statements(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")  # compiles the pinned workflow, as a server has
    statements = _fired(db, cycle_id, "step_back")
    verbs = [s.split(None, 1)[0].upper() for s in statements]
    assert verbs == ["SELECT", "SELECT", "SELECT", "UPDATE", "INSERT"]


def test_a_program_that_asks_for_no_sign_offs_costs_no_sign_off_read(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    statements = _fired(db, cycle_id, "start_planning")
    assert not [s for s in statements if re.search(r"\bsignoff\b", s, re.IGNORECASE)]
