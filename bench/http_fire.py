"""Firing a trigger over HTTP: the real endpoint against a bare one, under the same load.

    python bench/http_fire.py [--db sqlite|postgres|both] [--connections 16] [--seconds 5]
                              [--rounds 3]

On a fresh database with eight cycles per connection for each endpoint, checks
that bench/bare_fire_app.py issues the same statements as the real endpoint
(bench/fire_statements.py), starts both under uvicorn (one worker each), warms
them up, then drives them with wrk in alternating rounds so both see the same
machine load. Every wrk connection walks its own cycles, alternating
`start_planning` and `step_back`, so every request is a real, successful fire;
between rounds each cycle is stepped back to `why`. Prints requests per second,
p50 and p99 per round, the server process's CPU time per request (which the load
of a shared machine disturbs far less than the rates), their medians, and the
ratios of the rates and of the CPU times.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from service.store.database import get_engine
from service.store.models import HistoryEvent, WorkflowInstance

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_db import add_database_option, chosen, fresh_database, machine  # noqa: E402
from fire_fixture import seed_cycles  # noqa: E402
from fire_statements import app_environment, check_same_statements  # noqa: E402

ENDPOINTS = {
    "service": ("service.web.main:app", "/api/cycles/"),
    "bare": ("bare_fire_app:app", "/bare/cycles/"),
}
WRK_SCRIPT = """
-- Thread t of n takes every n-th cycle and walks them round-robin, alternating
-- start_planning and step_back: a cycle's next request comes a whole pass (eight requests
-- per connection) after its last, so only a request slower than that races it (a 409).
-- wrk calls request() once on the first thread's state to check the script, and sends
-- nothing for it: that thread's first cycle misses its first start_planning, so its
-- step_back a pass later answers 409, once per run, for either endpoint alike.
local ids = {%(ids)s}
local prefix, token, threads = "%(prefix)s", "%(token)s", %(threads)d
local next_thread, counter, mine, threads_seen = 0, 0, {}, {}
refused = ""  -- a global, so done() can read each thread's through thread:get
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads_seen, thread)
end
function init(args)
  for i, id in ipairs(ids) do
    if (i - 1) %% threads == tid then table.insert(mine, id) end
  end
end
function request()
  counter = counter + 1
  local slot = (counter - 1) %% #mine + 1
  local round = math.floor((counter - 1) / #mine)
  local trigger = (round %% 2 == 0) and "start_planning" or "step_back"
  return wrk.format("POST", prefix .. mine[slot] .. "/triggers/" .. trigger,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"reason": "bench"}')
end
function response(status, headers, body)
  if status >= 300 then refused = refused .. status .. " " end
end
function done(summary, latency, requests)
  local e, codes = summary.errors, ""
  for _, thread in ipairs(threads_seen) do codes = codes .. (thread:get("refused") or "") end
  io.write(string.format(
    '{"requests": %%d, "us": %%d, "p50": %%d, "p99": %%d, "status": %%d, "socket": %%d, '
    .. '"codes": "%%s"}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, codes))
end
"""


@dataclass(frozen=True)
class Round:
    rps: float
    p50_ms: float
    p99_ms: float
    refused: int
    """Answers other than 2xx or 3xx."""
    broken: int
    """Socket errors and timeouts."""
    codes: str = ""
    """The status of each answer other than 2xx, as wrk saw them."""
    cpu_ms: float = 0.0
    """The server process's CPU time (user and system) per request."""

    def __str__(self) -> str:
        return (
            f"{self.rps:7.0f} req/s  p50 {self.p50_ms:7.1f} ms  p99 {self.p99_ms:7.1f} ms  "
            f"CPU {self.cpu_ms:5.2f} ms/req  "
            f"non-2xx {self.refused} {self.codes.strip()}  socket errors {self.broken}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextmanager
def _server(app: str, url: str) -> Iterator[Server]:
    """uvicorn serving `app` with one worker, once it answers."""
    port = _free_port()
    env = {**os.environ, **app_environment(url), "PYTHONPATH": f"{HERE}:{HERE.parent}"}
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port)]
    server = subprocess.Popen([*command, "--log-level", "warning", "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield Server(base, server.pid)
    finally:
        server.terminate()
        server.wait()


def _wrk(
    server: Server, prefix: str, ids: list[int], token: str, connections: int, seconds: int
) -> Round:
    threads = min(2, connections)
    script = WRK_SCRIPT % {
        "ids": ", ".join(map(str, ids)),
        "prefix": prefix,
        "token": token,
        "threads": threads,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
        cpu_before = _cpu_seconds(server.pid)
        out = subprocess.run(
            [*command, "-s", lua.name, server.base], capture_output=True, text=True, check=True
        ).stdout
        cpu = _cpu_seconds(server.pid) - cpu_before
    summary = json.loads(out.strip().splitlines()[-1])
    return Round(
        summary["requests"] / (summary["us"] / 1e6),
        summary["p50"] / 1000,
        summary["p99"] / 1000,
        summary["status"],
        summary["socket"],
        summary["codes"],
        1000 * cpu / max(summary["requests"], 1),
    )


def _settle(url: str, base: str, prefix: str, ids: list[int], token: str) -> None:
    """Once requests still in flight have landed, step every cycle in `how` back to `why`."""
    with get_engine(url).connect() as conn:

        def last_event() -> int | None:
            latest = conn.execute(select(func.max(HistoryEvent.id))).scalar()
            conn.rollback()  # so the next read sees later commits
            return latest

        before, latest = None, last_event()
        while before != latest:
            time.sleep(1)
            before, latest = latest, last_event()
        moved = (
            conn.execute(
                select(WorkflowInstance.id).where(
                    WorkflowInstance.id.in_(ids),  # type: ignore[union-attr]
                    WorkflowInstance.state == "how",
                )
            )
            .scalars()
            .all()
        )
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for cycle_id in moved:
            answer = client.post(f"{prefix}{cycle_id}/triggers/step_back", json={"reason": "b"})
            answer.raise_for_status()


def _median(rounds: list[Round]) -> Round:
    return Round(
        statistics.median(r.rps for r in rounds),
        statistics.median(r.p50_ms for r in rounds),
        statistics.median(r.p99_ms for r in rounds),
        sum(r.refused for r in rounds),
        sum(r.broken for r in rounds),
        " ".join(r.codes for r in rounds),
        statistics.median(r.cpu_ms for r in rounds),
    )


def bench(kind: str, connections: int, seconds: int, rounds: int) -> None:
    with fresh_database(kind) as url:
        per_endpoint = connections * 8  # a cycle's next request comes long after its last
        fixture = seed_cycles(url, 1 + 2 * per_endpoint)
        check_id, cycles = fixture.cycle_ids[0], fixture.cycle_ids[1:]
        print(check_same_statements(url, fixture, check_id))
        own = {"service": cycles[:per_endpoint], "bare": cycles[per_endpoint:]}
        with (
            _server(ENDPOINTS["service"][0], url) as service,
            _server(ENDPOINTS["bare"][0], url) as bare,
        ):
            servers = {"service": service, "bare": bare}

            def run(name: str, length: int) -> Round:
                prefix = ENDPOINTS[name][1]
                result = _wrk(servers[name], prefix, own[name], fixture.token, connections, length)
                _settle(url, servers[name].base, prefix, own[name], fixture.token)
                return result

            for name in servers:  # warm-up: pools filled, definitions compiled, caches loaded
                run(name, 1)
            measured: dict[str, list[Round]] = {"service": [], "bare": []}
            for n in range(rounds):
                order = ("service", "bare") if n % 2 == 0 else ("bare", "service")
                for name in order:
                    measured[name].append(run(name, seconds))
                print(f"round {n + 1}: " + " | ".join(f"{k} {measured[k][-1]}" for k in measured))
        medians = {name: _median(r) for name, r in measured.items()}
        for name, m in medians.items():
            print(f"{name:8} median {m}  p99/p50 {m.p99_ms / m.p50_ms:.1f}")
        ratio = medians["service"].rps / medians["bare"].rps
        cpu = medians["bare"].cpu_ms / medians["service"].cpu_ms
        print(
            f"{kind}: ratio service/bare {ratio:.2f} at {connections} connections; "
            f"CPU per request bare/service {cpu:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_option(parser)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    for kind in chosen(args.db):
        bench(kind, args.connections, args.seconds, args.rounds)
    print(machine())


if __name__ == "__main__":
    main()
