"""Start-up: from launching `improve serve` to the first 200 on /healthz.

    python bench/startup.py [--runs 5] [--db sqlite|postgres|both]

On a fresh database already migrated to head, each run launches three servers one after the
other and times each from the launch to its first 200 on /healthz (polled every 10 ms):
`improve serve` (the command line, its migration check, then uvicorn with the app), uvicorn
serving the app directly (no command line, no migration check), and uvicorn serving a bare
FastAPI app with only /healthz (the baseline). Prints every run, then the median of each and
`improve serve` against the baseline.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from fastapi import FastAPI

HERE = Path(__file__).resolve().parent
SECRET = secrets.token_urlsafe(32)
"""Set as a production deployment sets it (the app refuses to start without one)."""
POLL_SECONDS = 0.01
TIMEOUT_SECONDS = 120.0


def bare_app() -> FastAPI:
    """The baseline: the same server stack with nothing in it but /healthz."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _commands(port: int) -> dict[str, list[str]]:
    where = ["--host", "127.0.0.1", "--port", str(port)]
    uvicorn = [sys.executable, "-m", "uvicorn", *where, "--log-level", "warning"]
    return {
        "improve serve": [str(Path(sys.executable).with_name("improve")), "serve", *where],
        "uvicorn + app": [*uvicorn, "service.web.main:app"],
        "bare uvicorn": [*uvicorn, "--app-dir", str(HERE), "--factory", "startup:bare_app"],
    }


def _seconds_to_first_200(command: list[str], port: int, database_url: str) -> float:
    env = {**os.environ, "IMPROVE_DATABASE_URL": database_url, "IMPROVE_SECRET_KEY": SECRET}
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while time.perf_counter() - started < TIMEOUT_SECONDS:
                if server.poll() is not None:
                    output.seek(0)
                    raise RuntimeError(f"{command} exited:\n{output.read().decode()[-2000:]}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(POLL_SECONDS)
            raise RuntimeError(f"no 200 from /healthz within {TIMEOUT_SECONDS:.0f} s")
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait()


def measure(database_url: str, runs: int) -> dict[str, list[float]]:
    """Seconds to the first 200 of each server, `runs` times, the servers taking turns."""
    times: dict[str, list[float]] = {}
    for run in range(1, runs + 1):
        port = _free_port()
        for name, command in _commands(port).items():
            times.setdefault(name, []).append(_seconds_to_first_200(command, port, database_url))
        print(f"  run {run}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()))
    return times


def main() -> None:
    from bench_db import add_database_option, chosen, fresh_database, machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    add_database_option(parser)
    args = parser.parse_args()
    print(machine())
    for kind in chosen(args.db):
        with fresh_database(kind) as url:
            print(f"{kind} (migrated to head):")
            medians = {name: statistics.median(t) for name, t in measure(url, args.runs).items()}
        for name, median in medians.items():
            print(f"  {name:14} median {median:.2f} s")
        ratio = medians["improve serve"] / medians["bare uvicorn"]
        print(f"  improve serve / bare uvicorn: {ratio:.1f}x")


if __name__ == "__main__":
    main()
