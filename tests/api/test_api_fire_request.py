"""One fire over HTTP: the caller and the cycle read together, then one write, then the answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from api_helpers import Api, User, fire, member_of, new_org, put_artifact, start_cycle
from factories import theory_of_action
from sqlalchemy import Engine, event

_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


@contextmanager
def recorded_transactions(db: Engine) -> Iterator[list[list[str]]]:
    """The statements `db` runs while the block runs, one list per transaction."""
    transactions: list[list[str]] = []

    def statement(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN is issued as SQL
            transactions[-1].append(sql)

    listeners = {
        "begin": lambda _conn: transactions.append([]),
        "before_cursor_execute": statement,
    }
    for name, listener in listeners.items():
        event.listen(db, name, listener)
    try:
        yield transactions
    finally:
        for name, listener in listeners.items():
            event.remove(db, name, listener)


def _tables(sql: str) -> set[str]:
    return {table.lower() for table in _TABLE.findall(sql)}


def _cycle_ready_to_plan(api: Api) -> tuple[User, int]:
    org = new_org(api.db)
    member = member_of(api, org.team_id)
    cycle_id = start_cycle(member, org.team_id)["cycle_id"]
    put_artifact(member, cycle_id, "theory_of_action", theory_of_action())
    return member, cycle_id


def test_a_fire_reads_its_caller_and_the_cycle_in_one_transaction_then_writes_in_one(
    api: Api,
) -> None:
    member, cycle_id = _cycle_ready_to_plan(api)
    with recorded_transactions(api.db) as transactions:
        response = fire(member, cycle_id, "start_planning")
    assert response.status_code == 200
    reads, write = transactions
    assert [_tables(sql) for sql in reads] == [
        {"accesstoken", "person"},
        {"teammembership", "team", "school", "programadmin"},
        {"workflowinstance", "team", "school"},
    ]
    assert [sql.split(None, 1)[0].upper() for sql in write][-2:] == ["UPDATE", "INSERT"]


def test_a_refused_caller_costs_no_write(api: Api) -> None:
    _, cycle_id = _cycle_ready_to_plan(api)
    stranger = member_of(api, new_org(api.db).team_id)
    with recorded_transactions(api.db) as transactions:
        response = fire(stranger, cycle_id, "start_planning")
    assert response.status_code == 404
    assert len(transactions) == 1


def test_the_fire_answers_the_status_a_read_of_the_cycle_then_gives(api: Api) -> None:
    member, cycle_id = _cycle_ready_to_plan(api)
    response = fire(member, cycle_id, "start_planning")
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer.pop("next_cycle_id") is None
    assert answer == member.get(f"/api/cycles/{cycle_id}").json()
