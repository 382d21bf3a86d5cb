"""Clients over real HTTP: a crowd racing on one trigger, and many teams each walking a cycle.

Clients are coroutines sharing one connection pool per server; client n talks to server
n mod (number of servers), so a load spreads over every process under test.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from factories import action_timeline, purpose_map, theory_of_action
from seeding import Worker

from service.surveys.instruments import FIXED_COLUMNS, Instrument

T = TypeVar("T")


def run_apart(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own.

    The browser tests' Playwright (sync API) keeps an event loop running on the main thread
    for the rest of the session, where `asyncio.run` refuses to start another.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, main).result()


ARTIFACT_BODIES: dict[str, dict[str, Any]] = {
    "theory_of_action": theory_of_action(),
    "purpose_map": purpose_map(),
    "action_timeline": action_timeline(),
}


@dataclass(frozen=True)
class Step:
    """One request of a walk, relative to /api/cycles/{id}/, with the body it sends."""

    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)


WALK: tuple[Step, ...] = (
    Step("POST", "triggers/start_planning"),
    Step("PUT", "artifacts/purpose_map", ARTIFACT_BODIES["purpose_map"]),
    Step("PUT", "artifacts/action_timeline", ARTIFACT_BODIES["action_timeline"]),
    Step("POST", "triggers/launch_test"),
)
"""A planned cycle (see seed_program) from `why` through `how` to `implement`: each step fires
or saves an artifact."""
WALKED_STATE = "implement"


@dataclass
class Tally:
    """What the clients were told: status counts, steps acknowledged per cycle, anything odd."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    cut_off: int = 0
    """Requests that got no answer because the connection failed (a crash)."""

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


def clients(base_urls: Sequence[str], size: int) -> list[httpx.AsyncClient]:
    """One client per server, each able to hold `size` connections at once."""
    # A fresh connection per request: a kept-alive one could be closed by uvicorn's keep-alive
    # timeout just as a request goes out on it, which a loaded machine makes likely.
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=0)
    return [
        httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(120.0))
        for url in base_urls
    ]


async def close(pool: Sequence[httpx.AsyncClient]) -> None:
    await asyncio.gather(*(client.aclose() for client in pool))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def race(
    base_urls: Sequence[str], worker: Worker, trigger: str, contenders: int
) -> Counter[int]:
    """`contenders` clients fire the same trigger on one cycle at once: status -> count."""
    pool = clients(base_urls, contenders)
    try:
        path = f"/api/cycles/{worker.cycle_id}/triggers/{trigger}"
        answers = await asyncio.gather(
            *(
                pool[n % len(pool)].post(path, json={}, headers=_auth(worker.token))
                for n in range(contenders)
            )
        )
    finally:
        await close(pool)
    return Counter(answer.status_code for answer in answers)


async def _walk(
    client: httpx.AsyncClient, worker: Worker, steps: Sequence[Step], tally: Tally
) -> None:
    for step in steps:
        try:
            answer = await client.request(
                step.method,
                f"/api/cycles/{worker.cycle_id}/{step.path}",
                json=step.body,
                headers=_auth(worker.token),
            )
        except httpx.TransportError as exc:
            tally.cut_off += 1
            tally.unexpected.append(f"cycle {worker.cycle_id} {step.path}: {exc!r}")
            return
        tally.statuses[answer.status_code] += 1
        if answer.status_code != 200:
            tally.unexpected.append(
                f"cycle {worker.cycle_id} {step.method} {step.path}: "
                f"{answer.status_code} {answer.text[:200]}"
            )
            return
        tally.acknowledged[worker.cycle_id] += 1


async def walk_all(
    base_urls: Sequence[str], workers: Sequence[Worker], steps: Sequence[Step], tally: Tally
) -> None:
    """Every worker walks `steps` on their own cycle, all at the same time."""
    pool = clients(base_urls, len(workers))
    try:
        await asyncio.gather(
            *(_walk(pool[n % len(pool)], w, steps, tally) for n, w in enumerate(workers))
        )
    finally:
        await close(pool)


def survey_file(instrument: Instrument, school_code: str, rows: int) -> bytes:
    """A valid response file of `rows` respondents at one school, every item answered."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *(item.id for item in instrument.items)])
    low, high = instrument.scale.min, instrument.scale.max
    for n in range(rows):
        answers = [low + (n + i) % (high - low + 1) for i in range(len(instrument.items))]
        writer.writerow([school_code, "2025-10-01", f"R{n:07d}", "teacher", *answers])
    return out.getvalue().encode()


async def import_survey(
    base_url: str, program_id: int, instrument: str, token: str, data: bytes
) -> httpx.Response | None:
    """Upload a response file as text/csv; None if the connection failed before an answer."""
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120.0)) as client:
        try:
            return await client.post(
                f"/api/programs/{program_id}/surveys/{instrument}/responses",
                content=data,
                headers={**_auth(token), "Content-Type": "text/csv"},
            )
        except httpx.TransportError:
            return None
