"""The real app in process, and clients signed in to it as a person would sign in.

The API client carries a bearer token from `POST /api/auth/token`; the page client
holds the session cookie that the sign-in form sets. Both go through the whole app
(middleware, authentication, authorisation, serialisation or templates), with no
server or network in between.
"""

from __future__ import annotations

import os
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from fire_statements import app_environment

from service.settings import get_settings
from service.web.pages.routing import SIGN_IN

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def bench_app(url: str) -> FastAPI:
    """The service's app, serving the database at `url`."""
    os.environ.update(app_environment(url))
    get_settings.cache_clear()
    from service.web.app import create_app

    return create_app()


def api_client(app: FastAPI, email: str, password: str) -> TestClient:
    """A client that sends the bearer token `email` gets from the password flow."""
    client = TestClient(app)
    answer = client.post("/api/auth/token", data={"username": email, "password": password})
    answer.raise_for_status()
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def page_client(app: FastAPI, email: str, password: str) -> TestClient:
    """A client holding the session cookie the sign-in form gives `email`.

    It follows no redirects, so a page that sends it back to sign in fails instead of
    being measured as the sign-in page.
    """
    client = TestClient(app, follow_redirects=False)
    form = client.get(SIGN_IN)
    form.raise_for_status()
    found = _CSRF_FIELD.search(form.text)
    if found is None:
        raise RuntimeError("the sign-in page has no csrf_token field")
    answer = client.post(
        SIGN_IN, data={"email": email, "password": password, "csrf_token": found.group(1)}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"signing in {email} answered {answer.status_code}, not 303")
    return client
