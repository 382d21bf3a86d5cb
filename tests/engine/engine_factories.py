"""Small factories for the engine tests: the project's own pack and workflows, and documents.

Documents are written as a saved draft looks (every field present, dates as ISO strings),
complete unless a test passes the change that makes them otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from engine.content import ContentPack, load_content
from engine.definitions import Definition, load_directory
from engine.facts import Facts
from engine.workflow import Workflow, compile_workflow

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
WORKFLOWS_DIR = ROOT / "workflows"

LAUNCH = dt.date(2026, 3, 2)

CONDITIONS = (
    "vision-and-strategy",
    "supportive-administration",
    "capacity-and-resources",
    "enabling-work-structures",
    "relationships-and-social-norms",
    "shared-influence",
    "orientation-to-improve",
)


def content() -> ContentPack:
    return load_content(CONTENT_DIR)


@cache
def definitions() -> dict[str, Definition]:
    return load_directory(WORKFLOWS_DIR, content())


def workflow(name: str = "vision-and-strategy") -> Workflow:
    return compile_workflow(definitions()[name], content())


def facts(**given: Any) -> Facts:
    """Facts for a day at the launch, plus whatever the test says."""
    given.setdefault("today", LAUNCH)
    return Facts(**given)


def theory_of_action(**changes: Any) -> dict[str, Any]:
    return {
        "goal": "Most staff can name the same two priorities for the year.",
        "problem_of_practice": "Each new initiative is added without dropping an old one.",
        "staff_evidence": "A five-question survey answered by 31 of 40 staff.",
        "barrier": "Priorities are set in the office and announced by email.",
        "approach": "Sort current initiatives with staff at the next two meetings.",
        "statement": "If staff sort the initiatives with us, then they will name the same two.",
        **changes,
    }


def purpose_map(people: int = 3, **changes: Any) -> dict[str, Any]:
    return {
        "vision": "Everyone pulls in the same direction.",
        "idea_to_test": "An initiative-sorting session at the staff meeting.",
        "people": [
            {"name": f"Grade {n} team", "part": "Sorts and comments."} for n in range(people)
        ],
        "first_steps": ["List every initiative.", "Book the meeting."],
        "success_measures": ["Staff name the same top two priorities."],
        **changes,
    }


def action_timeline(**item_changes: Any) -> dict[str, Any]:
    item = {
        "action": "List every initiative on one page",
        "owner": "Assistant principal",
        "due": "2026-02-20",
        "success_evidence": "The page is shared before the meeting.",
        "status": "planned",
        **item_changes,
    }
    return {"items": [item]}


def data_collection(collected_on: dt.date, source: str = "feedback") -> dict[str, Any]:
    return {
        "collected_on": collected_on.isoformat(),
        "source": source,
        "participants": "18 teachers",
        "summary": "Two thirds named the same priorities.",
    }


def impact_assessment(**changes: Any) -> dict[str, Any]:
    return {
        "findings": "Priorities converged after the second meeting.",
        "goal_progress": "partly_met",
        "evidence": "Pulse survey before and after.",
        "adjustments": "Invite support staff next time.",
        **changes,
    }


def decision(
    choice: str | None,
    rationale: str | None = "The data says so.",
    next_condition: str | None = None,
) -> dict[str, Any]:
    return {"choice": choice, "rationale": rationale, "next_condition": next_condition}


def self_assessment(conditions: Iterable[str]) -> dict[str, Any]:
    return {
        "ratings": [
            {"condition": c, "dimension": "first", "level": "developing", "evidence": "Notes."}
            for c in conditions
        ]
    }
