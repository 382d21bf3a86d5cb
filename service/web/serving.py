"""Running the web app under uvicorn, as `improve serve` and `improve demo` do.

JSON logs (service.web.logs) replace uvicorn's own access log, and a stop is graceful: on
SIGTERM uvicorn stops accepting connections, lets requests in flight finish (for at most
`shutdown_grace_seconds`), runs the app's shutdown, and the command exits with status 0.
"""

from __future__ import annotations

import signal
from types import FrameType

from service.settings import Settings, SettingsRefused, settings_to_serve_with
from service.web.logs import LOG_CONFIG

APP = "service.web.main:app"
WORKER_HEALTHCHECK_SECONDS = 30
"""How long uvicorn's supervisor waits for a worker's answer before killing it as hung. Its
default, 5 s, is shorter than a spawned worker takes to import this package on a busy
two-core machine, where workers were killed and started again in a loop, none serving."""


def _exit_cleanly(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def settings_or_exit(workers: int = 1) -> Settings:
    """The settings to serve with; unfit ones end the process with a message saying why."""
    try:
        return settings_to_serve_with(workers)
    except SettingsRefused as refusal:
        raise SystemExit(f"improve: refusing to start: {refusal}") from None


def run(*, host: str, port: int, workers: int = 1) -> None:
    """Serve the app until SIGTERM or Ctrl-C.

    The settings are checked here, before any worker starts: a worker that exited on them
    would only be started again by uvicorn's supervisor.
    """
    import uvicorn

    settings = settings_or_exit(workers)

    # While the app loads, SIGTERM simply ends the process. Once serving, uvicorn handles it
    # and, after its graceful shutdown, raises it again to end the process as the signal
    # would: with the default handler that reads as "killed by SIGTERM". The stop was clean,
    # so both end here, with status 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        APP,
        host=host,
        port=port,
        workers=workers,
        log_config=LOG_CONFIG,
        access_log=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
