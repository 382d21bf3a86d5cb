"""Suggesting a condition from a school's scores: greatest need, greatest strength, and ties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.surveys.suggestions import Suggestion, Suggestions, suggest

NOTHING = Suggestions(greatest_need=None, greatest_strength=None)


def test_the_lowest_score_is_the_greatest_need_and_the_highest_the_greatest_strength() -> None:
    result = suggest([("vision", 3.4), ("culture", 2.1), ("capacity", 4.05), ("voice", 3.0)])

    assert result == Suggestions(
        greatest_need=Suggestion("culture", 2.1),
        greatest_strength=Suggestion("capacity", 4.05),
    )


def test_a_withheld_score_is_never_suggested_however_low_or_high_it_might_be() -> None:
    result = suggest([("vision", None), ("culture", 2.5), ("voice", None), ("capacity", 3.5)])

    assert result.greatest_need == Suggestion("culture", 2.5)
    assert result.greatest_strength == Suggestion("capacity", 3.5)


def test_a_tie_goes_to_the_condition_listed_first_and_names_the_others() -> None:
    result = suggest(
        [("vision", 4.2), ("culture", 2.5), ("voice", 2.5), ("capacity", 4.2), ("trust", 2.5)]
    )

    assert result.greatest_need == Suggestion("culture", 2.5, tied_with=("voice", "trust"))
    assert result.greatest_strength == Suggestion("vision", 4.2, tied_with=("capacity",))


def test_scores_that_look_the_same_when_shown_are_treated_as_tied() -> None:
    result = suggest([("vision", 3.1249), ("culture", 3.1201), ("capacity", 4.0)])

    assert result.greatest_need == Suggestion("vision", 3.12, tied_with=("culture",))


def test_nothing_is_suggested_without_two_scored_conditions_that_differ() -> None:
    assert suggest([]) == NOTHING
    assert suggest([("vision", None), ("culture", None)]) == NOTHING
    assert suggest([("vision", 2.0), ("culture", None)]) == NOTHING
    assert suggest([("vision", 3.0), ("culture", 3.001), ("capacity", None)]) == NOTHING


scores = st.lists(
    st.tuples(st.sampled_from("abcdefg"), st.none() | st.floats(1, 5)),
    max_size=7,
    unique_by=lambda pair: pair[0],
)


@given(scores)
def test_suggestions_are_the_extremes_of_the_shown_scores_and_never_the_same(
    pairs: list[tuple[str, float | None]],
) -> None:
    result = suggest(pairs)
    shown = {condition: round(score, 2) for condition, score in pairs if score is not None}
    if result == NOTHING:
        assert len(set(shown.values())) < 2
        return
    need, strength = result.greatest_need, result.greatest_strength
    assert need is not None and strength is not None
    assert need.condition != strength.condition
    assert need.score == min(shown.values()) == shown[need.condition]
    assert strength.score == max(shown.values()) == shown[strength.condition]
