"""A fire's one transaction: what it writes, what the session around it sees, what a refusal undoes.

The fire runs its statements on the unit of work's connection, without ORM entities; these
tests hold it to what the ORM gave before: pending rows count, loaded entities stay true, and
nothing of a refused unit of work survives.
"""

from __future__ import annotations

import datetime as dt

import pytest
from factories import LAUNCH, fire, new_cycle, save, theory_of_action
from sqlalchemy import Engine

from engine.errors import ConcurrentChange, GatesUnmet
from service.instances import advance_version, fire_trigger, save_artifact
from service.queries import current_revisions, get_instance, history, lock_instance
from service.store.database import unit_of_work
from service.store.models import ArtifactRevision, WorkflowInstance


def _stored(db: Engine, cycle_id: int) -> WorkflowInstance:
    with unit_of_work(db, write=False) as session:
        return get_instance(session=session, instance_id=cycle_id)


def test_a_fire_returns_the_instance_exactly_as_it_now_stands_in_the_database(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    before = _stored(db, cycle_id)
    later = LAUNCH + dt.timedelta(days=3)

    fired = fire(db, cycle_id, "start_planning", now=later)

    stored = _stored(db, cycle_id)
    assert (fired.instance.state, fired.instance.version) == ("how", before.version + 1)
    for column in fired.instance._fields:
        assert getattr(fired.instance, column) == getattr(stored, column), column
    assert stored.entered_at == later
    event = fired.event
    assert (event.seq, event.trigger, event.from_state, event.to_state) == (
        2,  # after the start: saving a revision is no event
        "start_planning",
        "why",
        "how",
    )


def test_an_instance_the_session_loaded_before_the_fire_shows_what_the_fire_wrote(
    db: Engine,
) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())
    with unit_of_work(db) as session:
        loaded = get_instance(session=session, instance_id=cycle_id)
        version = loaded.version
        fire_trigger(session=session, instance_id=cycle_id, trigger="start_planning", actor_id=None)
        assert (loaded.state, loaded.version) == ("how", version + 1)
        assert get_instance(session=session, instance_id=cycle_id).state == "how"
        assert not session.dirty  # mirrored as written, so there is nothing left to flush


def test_a_revision_added_to_the_session_but_not_yet_flushed_counts_for_the_gates(
    db: Engine,
) -> None:
    cycle_id = new_cycle(db)
    with unit_of_work(db) as session:
        session.add(
            ArtifactRevision(
                instance_id=cycle_id,
                iteration=1,
                kind="theory_of_action",
                revision=1,
                body=theory_of_action(),
            )
        )
        fired = fire_trigger(
            session=session, instance_id=cycle_id, trigger="start_planning", actor_id=None
        )
    assert fired.instance.state == "how"


def test_a_refused_fire_undoes_everything_its_unit_of_work_wrote(db: Engine) -> None:
    cycle_id = new_cycle(db)
    with pytest.raises(GatesUnmet), unit_of_work(db) as session:
        save_artifact(
            session=session,
            instance_id=cycle_id,
            kind="theory_of_action",
            data={"goal": "only a goal"},
            author_id=None,
        )
        fire_trigger(session=session, instance_id=cycle_id, trigger="start_planning", actor_id=None)
    with unit_of_work(db, write=False) as session:
        assert current_revisions(session=session, instance_id=cycle_id, iteration=1) == []
        assert [e.trigger for e in history(session=session, instance_id=cycle_id)] == ["start"]
    assert _stored(db, cycle_id).version == 1


def test_a_write_from_a_stale_read_is_refused_naming_the_version_now_stored(db: Engine) -> None:
    cycle_id = new_cycle(db)
    save(db, cycle_id, "theory_of_action", theory_of_action())  # version 2
    with pytest.raises(ConcurrentChange) as refused, unit_of_work(db) as session:
        locked, _ = lock_instance(session=session, instance_id=cycle_id)
        stale = locked._replace(version=locked.version - 1)
        advance_version(session, stale, {"state": "how"}, None)
    assert (refused.value.expected_version, refused.value.actual_version) == (1, 2)
    assert _stored(db, cycle_id).state == "why"


def test_a_reading_unit_of_work_takes_no_connection_until_it_reads(db: Engine) -> None:
    cycle_id = new_cycle(db)
    before = db.pool.checkedout()  # type: ignore[attr-defined]
    with unit_of_work(db, write=False) as session:
        assert db.pool.checkedout() == before  # type: ignore[attr-defined]
        get_instance(session=session, instance_id=cycle_id)
        assert db.pool.checkedout() == before + 1  # type: ignore[attr-defined]
    assert db.pool.checkedout() == before  # type: ignore[attr-defined]
