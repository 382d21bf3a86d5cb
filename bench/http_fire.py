"""Firing a trigger over HTTP: the real endpoint against a bare one, under the same load.

    python bench/http_fire.py [--database-url URL] [--connections 16] [--seconds 10]

Starts uvicorn (one worker) on a fresh database with one cycle per connection,
then drives each endpoint with wrk: every connection alternates `start_planning`
and `step_back` on its own cycle, so every request is a real, successful fire.
Prints requests per second, p50 and p99 for both, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from service.instances import save_artifact, start_cycle
from service.organisation import add_school, add_team, add_to_team, create_person, create_program
from service.security import hash_password
from service.store.database import get_engine, unit_of_work
from service.store.migrate import upgrade

HERE = Path(__file__).resolve().parent
THEORY = {
    "goal": "g",
    "problem_of_practice": "p",
    "staff_evidence": "e",
    "barrier": "b",
    "approach": "a",
    "statement": "If we do this, then that happens.",
}
WRK_SCRIPT = """
-- Each wrk thread takes every other cycle, then walks its cycles round-robin,
-- alternating start_planning and step_back, so no two requests ever race.
local ids = {%s}
local prefix = "%s"
local token = "%s"
local threads = %d
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
local mine = {}
local counter = 0
function init(args)
  for i, id in ipairs(ids) do
    if (i - 1) %% threads == tid then table.insert(mine, id) end
  end
end
function request()
  counter = counter + 1
  local n = #mine
  local slot = (counter - 1) %% n + 1
  local round = math.floor((counter - 1) / n)
  local trigger = (round %% 2 == 0) and "start_planning" or "step_back"
  return wrk.format("POST", prefix .. mine[slot] .. "/triggers/" .. trigger,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token},
    '{"reason": "bench"}')
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(url: str, cycles: int) -> tuple[list[int], str]:
    upgrade(url)
    with unit_of_work(get_engine(url)) as session:
        program = create_program(session=session, name="bench")
        school = add_school(
            session=session, program_id=program.id, name="s", code=str(time.time_ns())
        )
        email = f"bench{time.time_ns()}@example.org"
        person = create_person(
            session=session,
            email=email,
            name="Bench",
            password_hash=hash_password("bench password"),
        )
        ids = []
        for n in range(cycles):
            team = add_team(session=session, school_id=school.id, name=f"t{n}")
            add_to_team(session=session, team_id=team.id, person_id=person.id, role="member")
            cycle = start_cycle(
                session=session,
                team_id=team.id,
                condition="vision-and-strategy",
                reason="bench",
                actor_id=person.id,
            )
            save_artifact(
                session=session,
                instance_id=cycle.id,
                kind="theory_of_action",
                data=THEORY,
                author_id=person.id,
            )
            ids.append(cycle.id)
    return ids, email


def _wait(base: str) -> None:
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code in (200, 404):
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _wrk(
    base: str, prefix: str, ids: list[int], token: str, connections: int, seconds: int
) -> dict:
    threads = min(2, connections)
    script = WRK_SCRIPT % (", ".join(map(str, ids)), prefix, token, threads)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            f.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0}


def _serve(app: str, url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "IMPROVE_DATABASE_URL": url, "PYTHONPATH": f"{HERE}:{HERE.parent}"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/http-bench.db"
    # Far more cycles than connections, so a cycle's next request comes long after its last.
    ids, email = _seed(url, cycles=args.connections * 8)
    results = {}
    for name, app, prefix in (
        ("service", "service.web.main:app", "/api/cycles/"),
        ("bare", "bare_fire_app:app", "/bare/cycles/"),
    ):
        port = _free_port()
        server = _serve(app, url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            token = ""
            if name == "service":
                token = httpx.post(
                    f"{base}/api/auth/token", data={"username": email, "password": "bench password"}
                ).json()["access_token"]
            results[name] = _wrk(base, prefix, ids, token, args.connections, args.seconds)
        finally:
            server.terminate()
            server.wait()
    for name, r in results.items():
        print(
            f"{name:8} {r['rps']:8.0f} req/s  p50 {r['p50']:>8}  p99 {r['p99']:>8}  "
            f"non-2xx {r['non2xx']}"
        )
    ratio = results["service"]["rps"] / results["bare"]["rps"]
    print(f"ratio service/bare: {ratio:.2f}  ({url.split(':')[0]})")


if __name__ == "__main__":
    main()
