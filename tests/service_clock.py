"""Holding the service's clock still for one test, so the test and the app agree on "today".

The service reads the time through one function, `service.store.models.utcnow`, which its
modules (and the tests' helpers) import by name. Holding the clock still therefore replaces
every module's own reference to that function, `service.store.models` itself included, which
covers the default values of timestamps and modules imported later.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from service.store import models


def freeze_service_clock(monkeypatch: pytest.MonkeyPatch, at: dt.datetime) -> dt.datetime:
    """Make `utcnow` read `at`, wherever it was imported, until the test ends; returns `at`."""
    clock = models.utcnow

    def frozen() -> dt.datetime:
        return at

    for module in list(sys.modules.values()):
        # vars(), not getattr(): a module's own __getattr__ may import or warn.
        if vars(module).get("utcnow") is clock:
            monkeypatch.setattr(module, "utcnow", frozen)
    return at
