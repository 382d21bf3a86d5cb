"""Which condition a school's survey scores point to: its greatest need and its greatest strength.

Pure, so the rule can be read and tested on its own:
- only conditions with a score count; a suppressed one (too few respondents) or one nobody
  answered is never suggested, whatever it might hide;
- scores are compared as they are shown (SCORE_DECIMALS places), so two conditions that look
  equal to the team are treated as equal;
- among conditions tied for the lowest (or highest) score, the one listed first wins (callers
  pass conditions in the playbook's order), and the others are named as tied with it;
- with fewer than two scored conditions, or all of them level, nothing stands out, so nothing
  is suggested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SCORE_DECIMALS = 2


@dataclass(frozen=True)
class Suggestion:
    condition: str
    score: float
    """The score as shown, rounded to SCORE_DECIMALS."""
    tied_with: tuple[str, ...] = ()
    """Other conditions with the same shown score, which come after this one in the order."""


@dataclass(frozen=True)
class Suggestions:
    greatest_need: Suggestion | None
    greatest_strength: Suggestion | None


def shown(score: float) -> float:
    """A score as the team sees it, and as the suggestions compare it."""
    return round(score, SCORE_DECIMALS)


def _first_at(scored: list[tuple[str, float]], score: float) -> Suggestion:
    tied = [condition for condition, value in scored if value == score]
    return Suggestion(condition=tied[0], score=score, tied_with=tuple(tied[1:]))


def suggest(scores: Sequence[tuple[str, float | None]]) -> Suggestions:
    """The lowest and highest shown scores among (condition, score or None if withheld)."""
    scored = [(condition, shown(score)) for condition, score in scores if score is not None]
    values = [value for _, value in scored]
    if len(scored) < 2 or min(values) == max(values):
        return Suggestions(greatest_need=None, greatest_strength=None)
    return Suggestions(
        greatest_need=_first_at(scored, min(values)),
        greatest_strength=_first_at(scored, max(values)),
    )
