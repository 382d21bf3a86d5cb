"""Structured logs: one JSON object per line, with the id of the request being served.

Any log line written while a request is served, from any logger, carries the request's id
(see service.web.request_context); the middleware writes one line per request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from service.web.request_context import current_request

REQUEST_LOGGER = "improve.request"


# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged,
# except uvicorn's copy of its message with terminal colours.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Handlers format as the line is logged, in the context of the request that logs it.
        context = current_request()
        if context is not None:
            line["request_id"] = context.request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _json_handler(stream: str) -> dict[str, str]:
    return {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonFormatter}},
    "handlers": {
        "stdout": _json_handler("ext://sys.stdout"),
        "stderr": _json_handler("ext://sys.stderr"),
    },
    "loggers": {
        # Requests are logged once, by our middleware, with their id, user and duration.
        REQUEST_LOGGER: {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "improve": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
"""The logging configuration `improve serve` hands uvicorn (its `log_config`)."""
