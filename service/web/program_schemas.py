"""Request and response bodies of the program routes: enrolments, phases and the dashboard.

The dashboard's tables are named here once: the JSON body and every CSV download are
both read off these models, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from service.web.schemas import Count

Cohort = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
DashboardTable = Literal[
    "phases", "conditions_states", "cycles", "median_days", "stalled", "engagement"
]


class EnrolmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_id: Count
    cohort: Cohort
    started_on: dt.date


class EnrolmentOut(BaseModel):
    id: int
    school_id: int
    cohort: str
    started_on: dt.date
    phase_instance_id: int


class SchoolPhaseOut(BaseModel):
    school_id: int
    school: str
    code: str
    cohort: str | None
    started_on: dt.date | None
    expected_phase: str | None
    phase: str | None
    behind: bool
    phase_instance_id: int | None


class PhaseCountOut(BaseModel):
    phase: str
    schools: int
    behind: int


class StageCountOut(BaseModel):
    condition: str
    state: str
    teams: int


class CycleCountsOut(BaseModel):
    completed: int
    revisit: int
    move_on: int


class StateDurationOut(BaseModel):
    state: str
    median_days: float
    stays: int


class StalledTeamOut(BaseModel):
    team_id: int
    team: str
    school: str
    days_quiet: int | None


class PageOut(BaseModel):
    total: int
    limit: int
    offset: int


class EngagementOut(BaseModel):
    active_teams: int
    teams: int
    percent: float


class DashboardOut(BaseModel):
    program_id: int
    program: str
    today: dt.date
    stall_days: int
    phases: list[PhaseCountOut]
    conditions_states: list[StageCountOut]
    cycles: CycleCountsOut
    median_days: list[StateDurationOut]
    stalled: list[StalledTeamOut]
    stalled_page: PageOut
    engagement: EngagementOut


TABLE_ROWS: dict[str, type[BaseModel]] = {
    "phases": PhaseCountOut,
    "conditions_states": StageCountOut,
    "cycles": CycleCountsOut,
    "median_days": StateDurationOut,
    "stalled": StalledTeamOut,
    "engagement": EngagementOut,
}
"""The model of one row of each dashboard table; its fields are the CSV's header."""
