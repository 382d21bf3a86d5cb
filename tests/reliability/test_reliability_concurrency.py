"""Many clients over real HTTP at once: one winner per contested transition, nothing lost."""

from __future__ import annotations

from collections import Counter

import pytest
from consistency import check_cycles, problems_in
from load import WALK, WALKED_STATE, Tally, race, run_apart, walk_all
from seeding import PLANNED_WRITES, seed_program
from servers import Deployment

pytestmark = pytest.mark.reliability

CONTENDERS = 50
TEAMS = 200


def test_fifty_clients_firing_one_trigger_get_one_success_and_the_rest_conflicts(
    deployment: Deployment,
) -> None:
    [worker] = seed_program(deployment.db, 1, planned=True).workers
    answers = run_apart(race(deployment.base_urls, worker, "start_planning", CONTENDERS))
    assert answers == Counter({200: 1, 409: CONTENDERS - 1}), deployment.log_tails()
    [report] = check_cycles(deployment.db, [worker.cycle_id])
    assert report.problems == ()
    assert (report.state, report.writes) == ("how", PLANNED_WRITES + 1)


def test_two_hundred_teams_walking_their_own_cycles_all_succeed_and_stay_consistent(
    deployment: Deployment,
) -> None:
    workers = seed_program(deployment.db, TEAMS, planned=True).workers
    tally = Tally()
    run_apart(walk_all(deployment.base_urls, workers, WALK, tally))
    assert tally.unexpected == [], deployment.log_tails()
    assert tally.cut_off == 0
    assert tally.statuses == Counter({200: len(WALK) * TEAMS})
    reports = check_cycles(deployment.db, [w.cycle_id for w in workers])
    assert problems_in(reports) == []
    assert {(r.state, r.writes) for r in reports} == {(WALKED_STATE, PLANNED_WRITES + len(WALK))}
