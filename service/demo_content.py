"""Sample artifacts for the demo program, written for any condition's title."""

from __future__ import annotations

import datetime as dt
from typing import Any


def theory_of_action(title: str) -> dict[str, Any]:
    topic = title.lower()
    return {
        "goal": f"By spring, most staff describe {topic} as a strength "
        "they can point to in daily work.",
        "problem_of_practice": f"Staff meetings rarely touch {topic}; "
        "decisions about it happen in the office.",
        "staff_evidence": f"Twenty-six of forty staff answered our short survey on {topic}; "
        "two focus groups said they want a real say but do not know where to start.",
        "barrier": "There is no regular, protected place in the week where this work happens.",
        "approach": "Pilot a fortnightly thirty-minute slot, run by teachers, "
        "inside existing meetings.",
        "statement": f"If teachers lead a short, protected slot on {topic} every two weeks, "
        "then more staff will take part in decisions and say so in our spring survey.",
    }


def purpose_map() -> dict[str, Any]:
    return {
        "vision": "Every teacher has a place to bring ideas and sees them acted on.",
        "idea_to_test": "A fortnightly teacher-led slot in the staff meeting for six weeks.",
        "people": [
            {"name": "Leadership team", "part": "Protect the time and join as participants."},
            {"name": "Grade 6 team", "part": "Run the first three slots."},
            {"name": "Instructional coach", "part": "Collect short exit tickets after each slot."},
        ],
        "first_steps": [
            "Agree the slot with the principal.",
            "Choose facilitators for the first three weeks.",
            "Draft a two-question exit ticket.",
        ],
        "success_measures": [
            "Attendance at four of the six slots.",
            "Exit tickets show at least two in three staff felt heard.",
        ],
    }


def action_timeline(start: dt.date) -> dict[str, Any]:
    def item(action: str, owner: str, days: int, status: str) -> dict[str, Any]:
        return {
            "action": action,
            "owner": owner,
            "due": (start + dt.timedelta(days=days)).isoformat(),
            "success_evidence": "Noted in the team's minutes.",
            "status": status,
        }

    return {
        "items": [
            item("Announce the pilot at the staff meeting", "Principal", 7, "done"),
            item("Run the first teacher-led slot", "Grade 6 lead", 14, "doing"),
            item("Collect and summarise exit tickets", "Instructional coach", 28, "planned"),
        ]
    }


def data_collection(collected_on: dt.date, source: str) -> dict[str, Any]:
    return {
        "collected_on": collected_on.isoformat(),
        "source": source,
        "participants": "31 teaching staff",
        "summary": "Most staff attended; two in three said the slot gave them a real say.",
    }


def impact_assessment() -> dict[str, Any]:
    return {
        "findings": "Attendance held up across five of six slots; exit tickets grew more positive.",
        "goal_progress": "partly_met",
        "evidence": "Exit tickets (n=142) and attendance sheets.",
        "adjustments": "Rotate facilitators so the slot does not depend on one grade team.",
    }


def decision(choice: str, next_condition: str | None) -> dict[str, Any]:
    rationale = (
        "The slot worked but still depends on a few people; another pass can spread it."
        if choice == "revisit"
        else "The practice is now routine; the survey points to our next area of need."
    )
    return {"choice": choice, "rationale": rationale, "next_condition": next_condition}
