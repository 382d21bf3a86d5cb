"""Real `improve serve` processes on free ports, for tests that need a server to crash or share.

Each server runs in its own process group, so stopping or killing it reaches uvicorn's worker
processes too. Its output goes to a log file that a failed start quotes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine

IMPROVE = Path(sys.executable).with_name("improve")
"""The console script installed beside the interpreter running the tests."""
SHARED_SECRET = secrets.token_urlsafe(32)
"""One signing key for every process, as a deployment of several processes must set."""
POOL_PER_PROCESS = {"IMPROVE_DATABASE_POOL_SIZE": "8", "IMPROVE_DATABASE_MAX_OVERFLOW": "4"}
"""PostgreSQL connections per process: several processes stay far below the server's
max_connections (100 by default), which other clients of the test server share."""
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass
class Server:
    """One `improve serve` process (with its workers) and where it answers."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Deployment:
    """Servers sharing one database, and that database for seeding and checking."""

    db: Engine
    servers: list[Server]

    @property
    def base_urls(self) -> list[str]:
        return [server.base_url for server in self.servers]

    def log_tails(self) -> str:
        """The end of every server's log, for a failure message."""
        return "\n".join(f"--- {s.log.name}\n{s.log_tail()}" for s in self.servers)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(database_url: str, log_dir: Path, *, workers: int = 1) -> Server:
    """Launch `improve serve` on `database_url` without waiting for it to answer."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    env = {
        **os.environ,
        **POOL_PER_PROCESS,
        "IMPROVE_DATABASE_URL": database_url,
        "IMPROVE_SECRET_KEY": SHARED_SECRET,
    }
    command = [str(IMPROVE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, f"http://127.0.0.1:{port}", log)


def start_servers(database_url: str, log_dir: Path, workers: Sequence[int]) -> list[Server]:
    """One server per entry of `workers` (its worker count), all answering /healthz."""
    servers = [launch(database_url, log_dir, workers=n) for n in workers]
    try:
        for server in servers:
            wait_until_healthy(server)
    except BaseException:
        for server in servers:
            kill(server)
        raise
    return servers


def wait_until_healthy(server: Server, timeout: float = START_TIMEOUT) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"the server exited ({code}):\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no 200 from /healthz in {timeout:.0f} s:\n{server.log_tail()}")


def _signal_group(server: Server, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(server.process.pid, signum)


def stop(server: Server) -> None:
    """Shut down gracefully (SIGTERM), or kill after STOP_TIMEOUT."""
    _signal_group(server, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill(server)


def kill(server: Server) -> None:
    """kill -9 the server and its workers, as a crash or the OOM killer would."""
    _signal_group(server, signal.SIGKILL)
    server.process.wait()
