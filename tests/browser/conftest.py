"""Browser tests: the real app served by uvicorn on a migrated SQLite file, driven by Chromium.

One server and one headless Chromium serve the whole session; each test gets a fresh browser
context (no cookies carried over) and makes its own team and people. Without Debian's Chromium
at /usr/bin/chromium these tests are skipped, unless IMPROVE_REQUIRE_BROWSER=1 (as in CI),
where a missing browser fails the run instead.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_factories import LiveServer
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from service.store.database import get_engine
from service.store.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
# Fail a step in seconds rather than Playwright's default 30 when a selector stops matching.
STEP_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; never a browser Playwright downloads."""
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("IMPROVE_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"IMPROVE_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}: "
                "install Debian's chromium package (apt-get install chromium)."
            )
        pytest.skip(f"no Chromium at {CHROMIUM}; set IMPROVE_REQUIRE_BROWSER=1 to fail instead")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving service.web.main:app on its own migrated SQLite file."""
    workdir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{workdir / 'improve.db'}"
    upgrade(url)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "IMPROVE_DATABASE_URL": url,
        "IMPROVE_SECRET_KEY": secrets.token_urlsafe(32),
    }
    command = [sys.executable, "-m", "uvicorn", "service.web.main:app", "--port", str(port)]
    log = workdir / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, server, log)
            yield LiveServer(base_url=base_url, db=get_engine(url))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            get_engine(url).dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(chromium: Path, playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session; tests isolate themselves with contexts."""
    instance = playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    yield instance
    instance.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page in a fresh context (its own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.base_url)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    yield context.new_page()
    context.close()
