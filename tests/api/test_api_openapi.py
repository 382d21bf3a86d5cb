"""The published OpenAPI document, and what every route in it does with no token or a bad id."""

from __future__ import annotations

import re

import pytest
from api_helpers import Api, new_user

SIGN_IN = ("post", "/api/auth/token")
PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def _api_routes(api: Api) -> list[tuple[str, str]]:
    """(method, path template) for every /api operation in the published spec."""
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    return [
        (method, path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
        if (method, path) != SIGN_IN
    ]


def test_the_spec_is_published_and_describes_the_api(sqlite_api: Api) -> None:
    routes = _api_routes(sqlite_api)
    assert len(routes) >= 30
    assert ("post", "/api/cycles/{cycle_id}/triggers/{trigger}") in routes
    assert ("get", "/healthz") not in routes
    spec = sqlite_api.client.get("/openapi.json").json()
    assert spec["info"]["title"] == "improvement-engine"
    assert SIGN_IN[1] in spec["paths"]


def test_every_api_route_but_signing_in_asks_for_a_token(sqlite_api: Api) -> None:
    answers = {
        (method, path): sqlite_api.client.request(method, PATH_PARAMETER.sub("1", path))
        for method, path in _api_routes(sqlite_api)
    }
    not_asking = {
        f"{method.upper()} {path}": response.status_code
        for (method, path), response in answers.items()
        if response.status_code != 401 or response.headers.get("WWW-Authenticate") != "Bearer"
    }
    assert not_asking == {}
    assert all(set(response.json()) == {"detail"} for response in answers.values())


@pytest.mark.parametrize(
    "bad_id",
    ["abc", "-1", "%C2%B2", "2147483648", "99999999999999999999"],
    ids=["letters", "negative", "superscript-two", "just-beyond-32-bits", "beyond-64-bits"],
)
def test_no_route_crashes_on_a_malformed_id(api: Api, bad_id: str) -> None:
    # Bug for "²" and for numbers beyond the database's integers: ids are checked with
    # str.isdigit(), which accepts "²" (then int() raises ValueError), and nothing bounds a
    # number before the database sees it (PostgreSQL integers stop at 2**31 - 1, SQLite's
    # at 2**63 - 1), so the driver's error surfaces as a 500.
    admin = new_user(api, site_admin=True)
    crashed = []
    for method, path in _api_routes(api):
        if "{" not in path:
            continue
        url = PATH_PARAMETER.sub(bad_id, path)
        body = {"json": {}} if method in ("post", "put") else {}
        if admin.client.request(method, url, headers=admin.headers, **body).status_code >= 500:
            crashed.append(f"{method.upper()} {path}")
    assert crashed == [], "answered 5xx:\n" + "\n".join(crashed)
