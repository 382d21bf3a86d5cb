"""Importing a response file: whole or not at all, every problem listed, re-imports replace."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import Engine
from survey_factories import (
    EFFICACY,
    FALL_2024,
    SYSTEMS,
    csv_text,
    instrument,
    new_program,
    response_file,
    run_import,
    stored,
)

from service.errors import InvalidRequest, NotFound
from service.store.database import unit_of_work
from service.surveys import repeats
from service.surveys.importing import ImportRefused, import_responses
from service.surveys.instruments import FIXED_COLUMNS
from service.surveys.registry import instrument_named
from service.surveys.rows import Problem, school_year

ITEMS = ["EF1", "EF2", "EF3", "EF4", "EF5", "EF6", "EF7"]


def efficacy_rows(code: str, n: int, value: int = 4, prefix: str = "r") -> list:
    return [
        (code, FALL_2024, f"{prefix}{k}", "teacher", dict.fromkeys(ITEMS, value)) for k in range(n)
    ]


def refused(db: Engine, program_id: int, data: bytes, **kwargs: object) -> list[Problem]:
    with pytest.raises(ImportRefused) as exc:
        run_import(db, program_id, EFFICACY, data, **kwargs)
    assert stored(db, program_id) == []
    return exc.value.problems


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2025, 7, 31), "2024-25"),
        (dt.date(2025, 8, 1), "2025-26"),
        (dt.date(1999, 9, 1), "1999-00"),
    ],
)
def test_a_wave_is_the_school_year_from_august_to_july(day: dt.date, label: str) -> None:
    assert school_year(day) == label


def test_a_good_file_is_stored_with_blank_cells_left_unanswered(db: Engine) -> None:
    program_id, _ = new_program(db)
    rows = [
        ("S01", "2025-03-02", "ann", "teacher", {"EF1": 5, "EF6": 1}),
        ("S01", "2025-09-15", "bob", "", {"EF2": " 3 "}),
    ]
    result = run_import(db, program_id, EFFICACY, response_file(ITEMS, rows))
    assert (result.rows, result.replaced, result.waves) == (2, 0, {"2024-25": 1, "2025-26": 1})
    assert stored(db, program_id) == [
        (EFFICACY, "2024-25", "ann", "teacher", {"EF1": 5, "EF6": 1}),
        (EFFICACY, "2025-26", "bob", "", {"EF2": 3}),
    ]


def test_a_bad_file_is_refused_with_every_problem_and_nothing_is_written(db: Engine) -> None:
    program_id, _ = new_program(db, schools=2)
    rows = [
        *efficacy_rows("S01", 3),
        ("S99", "2025-02-30", "x1", "teacher", {"EF1": 6, "EF2": "4.5", "EF3": "-"}),
        ("", "", "", "r" * 51, {"EF4": 0}),
        ("S02", "2/3/2025", "r1", "teacher", {"EF5": 3}),
    ]
    problems = refused(db, program_id, response_file(ITEMS, rows))
    assert problems == [
        Problem(5, "school_code", "no school in this program has code 'S99'"),
        Problem(5, "administered_on", "'2025-02-30' is not a date as YYYY-MM-DD"),
        Problem(5, "EF1", "6 is outside the scale 1-5"),
        Problem(5, "EF2", "'4.5' is not a whole number"),
        Problem(5, "EF3", "'-' is not a whole number"),
        Problem(6, "school_code", "is blank"),
        Problem(6, "administered_on", "is blank"),
        Problem(6, "respondent_id", "is blank"),
        Problem(6, "role", "longer than 50 characters"),
        Problem(6, "EF4", "0 is outside the scale 1-5"),
        Problem(7, "administered_on", "'2/3/2025' is not a date as YYYY-MM-DD"),
        Problem(7, "respondent_id", "also answers on row 3"),
    ]


def test_one_bad_row_after_many_batches_still_leaves_nothing_written(db: Engine) -> None:
    program_id, _ = new_program(db)
    rows = [*efficacy_rows("S01", 25), ("S01", FALL_2024, "late", "teacher", {"EF1": 9})]
    problems = refused(db, program_id, response_file(ITEMS, rows), batch_size=10)
    assert problems == [Problem(27, "EF1", "9 is outside the scale 1-5")]


def test_the_same_respondent_twice_in_a_file_is_a_duplicate_whatever_the_school(
    db: Engine,
) -> None:
    program_id, _ = new_program(db, schools=2)
    rows = [*efficacy_rows("S01", 2), *efficacy_rows("S02", 1)]
    problems = refused(db, program_id, response_file(ITEMS, rows))
    assert problems == [Problem(4, "respondent_id", "also answers on row 2")]


def test_extra_columns_are_refused_unless_ignored(db: Engine) -> None:
    program_id, _ = new_program(db)
    row = ["S01", "2025-01-10", "ann", "teacher", *["4"] * 7, "Great", ""]
    data = csv_text([*FIXED_COLUMNS, *ITEMS, "comments", ""], [row])
    problems = refused(db, program_id, data)
    assert [(p.row, p.column) for p in problems] == [(1, "comments"), (1, "(column 13)")]
    assert run_import(db, program_id, EFFICACY, data, ignore_extra=True).rows == 1
    assert stored(db, program_id)[0][4] == dict.fromkeys(ITEMS, 4)


def test_a_header_without_the_fixed_columns_stops_before_the_rows(db: Engine) -> None:
    program_id, _ = new_program(db)
    data = csv_text(["school", "administered_on", "respondent_id", "role", *ITEMS], [["x"]])
    problems = refused(db, program_id, data)
    assert Problem(1, "school_code", "this column is required") in problems
    assert all(p.row == 1 for p in problems)


def test_a_missing_item_column_and_a_short_row_are_reported(db: Engine) -> None:
    program_id, _ = new_program(db)
    data = csv_text([*FIXED_COLUMNS, *ITEMS[:-1]], [["S01", "2025-01-10", "ann", "t", "4"]])
    assert refused(db, program_id, data) == [
        Problem(1, "EF7", "instrument 'educator-efficacy' asks this item; add its column"),
        Problem(2, None, "5 cells, but the header has 10"),
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", Problem(1, None, "the file is empty; the first row must be the header")),
        (
            ",".join([*FIXED_COLUMNS, *ITEMS]).encode() + b"\n\n",
            Problem(2, None, "the file has a header but no responses"),
        ),
        (
            ",".join([*FIXED_COLUMNS, *ITEMS]).encode() + b"\nS01,2025-01-10,\xe9,t" + b",4" * 7,
            Problem(2, None, "the file is not UTF-8 text (near row 2)"),
        ),
    ],
    ids=["empty", "header-only", "not-utf8"],
)
def test_a_file_with_nothing_to_import_is_refused(
    db: Engine, data: bytes, problem: Problem
) -> None:
    program_id, _ = new_program(db)
    assert refused(db, program_id, data) == [problem]


def test_a_byte_order_mark_and_crlf_line_ends_are_read(db: Engine) -> None:
    program_id, _ = new_program(db)
    data = b"\xef\xbb\xbf" + response_file(ITEMS, efficacy_rows("S01", 2)).replace(b"\n", b"\r\n")
    assert run_import(db, program_id, EFFICACY, data).rows == 2


def test_reimporting_replaces_the_same_respondents_and_never_duplicates(db: Engine) -> None:
    program_id, _ = new_program(db)
    run_import(db, program_id, EFFICACY, response_file(ITEMS, efficacy_rows("S01", 12, 2)))
    again = response_file(ITEMS, [*efficacy_rows("S01", 12, 5), *efficacy_rows("S01", 3, 1, "n")])
    result = run_import(db, program_id, EFFICACY, again, batch_size=5)
    assert (result.rows, result.replaced) == (15, 12)
    rows = stored(db, program_id)
    assert len(rows) == 15
    assert sorted(row[4]["EF1"] for row in rows) == [1] * 3 + [5] * 12
    result = run_import(db, program_id, EFFICACY, again)
    assert (result.rows, result.replaced, len(stored(db, program_id))) == (15, 15, 15)


def test_the_same_respondent_in_another_wave_or_instrument_is_kept_apart(db: Engine) -> None:
    program_id, _ = new_program(db)
    data = response_file(ITEMS, efficacy_rows("S01", 2))
    run_import(db, program_id, EFFICACY, data)
    run_import(db, program_id, EFFICACY, data, wave="spring-2025")
    systems = instrument(db, SYSTEMS).item_ids
    run_import(db, program_id, SYSTEMS, response_file(systems, efficacy_rows("S01", 2)))
    assert [row[:3] for row in stored(db, program_id)] == [
        (EFFICACY, "2024-25", "r0"),
        (EFFICACY, "2024-25", "r1"),
        (EFFICACY, "spring-2025", "r0"),
        (EFFICACY, "spring-2025", "r1"),
        (SYSTEMS, "2024-25", "r0"),
        (SYSTEMS, "2024-25", "r1"),
    ]


def test_problems_beyond_the_limit_are_counted_but_not_listed(db: Engine) -> None:
    program_id, _ = new_program(db)
    rows = [("S01", FALL_2024, f"r{k}", "t", {"EF1": 8}) for k in range(5)]
    with pytest.raises(ImportRefused) as exc:
        run_import(db, program_id, EFFICACY, response_file(ITEMS, rows), max_problems=3)
    assert (len(exc.value.problems), exc.value.total) == (3, 5)
    assert "5 problem(s); the first 3 are listed" in str(exc.value)


def test_an_unknown_program_or_a_blank_wave_label_is_refused(db: Engine) -> None:
    program_id, _ = new_program(db)
    data = io.BytesIO(response_file(ITEMS, efficacy_rows("S01", 1)))
    with unit_of_work(db) as session:
        chosen = instrument_named(session=session, name=EFFICACY)
        with pytest.raises(NotFound):
            import_responses(session=session, program_id=2**31 - 1, instrument=chosen, source=data)
        with pytest.raises(InvalidRequest, match="wave label"):
            import_responses(
                session=session, program_id=program_id, instrument=chosen, source=data, wave=" "
            )


def test_a_repeat_is_confirmed_exactly_even_when_the_filter_is_crowded(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With an 8-bit filter nearly every id becomes a suspect; only real repeats are reported.
    monkeypatch.setattr(repeats, "FILTER_BITS", 8)
    program_id, _ = new_program(db)
    rows = efficacy_rows("S01", 30)
    assert run_import(db, program_id, EFFICACY, response_file(ITEMS, rows)).rows == 30
    rows += [("S01", FALL_2024, "r7", "teacher", {"EF1": 2})]
    other_program, _ = new_program(db)
    problems = refused(db, other_program, response_file(ITEMS, rows))
    assert problems == [Problem(32, "respondent_id", "also answers on row 9")]


def test_the_repeat_finder_suspects_freely_but_confirms_only_real_repeats() -> None:
    finder = repeats.RepeatFinder(bits=16)
    ids = [f"id-{n}" for n in range(40)] + ["id-3", "id-3", "id-39"]
    for key in ids:
        finder.add(key)
    assert len(finder.suspects) > 3
    assert list(finder.repeats(enumerate(ids, start=2))) == [(42, 5), (43, 5), (44, 41)]
    with pytest.raises(ValueError, match="power of two"):
        repeats.RepeatFinder(bits=12)
