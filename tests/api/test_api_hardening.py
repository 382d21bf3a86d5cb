"""Operating the service: readiness, request ids, a JSON log line per request, security headers."""

from __future__ import annotations

import contextvars
import json
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import PASSWORD, Api, new_person, new_user, sign_in
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from service.settings import get_settings
from service.web import health
from service.web.app import create_app
from service.web.logs import REQUEST_LOGGER, JsonFormatter
from service.web.request_context import open_request
from service.web.security_headers import CONTENT_SECURITY_POLICY

STRICT_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


RequestLog = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> Iterator[RequestLog]:
    """The request log's lines so far, each as the JSON formatter writes it."""

    def lines() -> list[dict[str, Any]]:
        formatter = JsonFormatter()
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == REQUEST_LOGGER]

    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        yield lines


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TestClient]]:
    """A client of a new app on the given database URL, with the environment as it is now."""

    def serve(url: str, **options: Any) -> TestClient:
        monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
        get_settings.cache_clear()
        return TestClient(create_app(), raise_server_exceptions=False, **options)

    yield serve
    get_settings.cache_clear()


def test_readiness_runs_a_query_on_the_database(api: Api) -> None:
    response = api.client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readiness_fails_with_a_plain_503_when_the_database_cannot_be_opened(
    tmp_path: Path, app_on: Callable[..., TestClient]
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-directory' / 'improve.db'}"
    with app_on(url) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "the database could not be reached or refused the query",
    }
    assert "Traceback" not in response.text
    assert "no-such-directory" not in response.text


def test_readiness_gives_up_on_a_database_that_never_answers(
    app_on: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.3)
    # A socket that completes TCP connections but never says a word: a hung database server.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with app_on(f"postgresql+psycopg://nobody@127.0.0.1:{port}/x") as client:
            response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "no answer within 0.3 seconds"}


def test_the_probes_need_no_sign_in_and_stay_out_of_the_api_schema(sqlite_api: Api) -> None:
    assert sqlite_api.client.get("/healthz").json() == {"status": "ok"}
    assert sqlite_api.client.get("/readyz").status_code == 200
    paths = sqlite_api.client.get("/openapi.json").json()["paths"]
    assert "/healthz" not in paths
    assert "/readyz" not in paths


@pytest.mark.parametrize("sent", ["a1b2c3-proxy.42", "trace:7f3e_99"])
def test_a_plain_request_id_from_the_client_is_kept_and_returned(
    sqlite_api: Api, request_log: RequestLog, sent: str
) -> None:
    response = sqlite_api.client.get("/healthz", headers={"X-Request-ID": sent})

    assert response.headers["X-Request-ID"] == sent
    assert request_log()[-1]["request_id"] == sent


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, '{"json":1}', "<script>"])
def test_an_odd_request_id_is_replaced_by_a_fresh_one(sqlite_api: Api, sent: str) -> None:
    response = sqlite_api.client.get("/healthz", headers={"X-Request-ID": sent})

    assert response.headers["X-Request-ID"] != sent
    assert len(response.headers["X-Request-ID"]) == 32


def test_each_request_without_an_id_gets_its_own(sqlite_api: Api) -> None:
    ids = {sqlite_api.client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_each_request_is_logged_once_as_json_with_route_status_time_and_user(
    api: Api, request_log: RequestLog
) -> None:
    user = new_user(api)

    response = user.get("/api/teams/999999999/status")

    [line] = request_log()
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/api/teams/999999999/status"
    assert line["route"] == "/api/teams/{team_id}/status"
    assert line["status"] == response.status_code == 404
    assert line["user_id"] == user.id
    assert 0 < line["duration_ms"] < 60_000
    assert user.token not in json.dumps(line)


def test_signing_in_logs_neither_the_password_nor_the_token(
    api: Api, request_log: RequestLog
) -> None:
    _, email, _ = new_person(api.db)

    response = sign_in(api.client, email)

    written = json.dumps(request_log())
    assert response.status_code == 200
    assert '"route": "/api/auth/token"' in written
    assert PASSWORD not in written
    assert response.json()["access_token"] not in written


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/healthz", 200),
        ("get", "/api/users/me", 401),
        ("get", "/api/no-such-thing", 404),
        ("post", "/api/auth/token", 422),
        ("get", "/openapi.json", 200),
        ("get", "/static/site.css", 200),
    ],
)
def test_every_response_carries_the_security_headers(
    sqlite_api: Api, method: str, path: str, status: int
) -> None:
    response = sqlite_api.client.request(method, path)

    assert response.status_code == status
    assert {name: response.headers.get(name) for name in STRICT_HEADERS} == STRICT_HEADERS
    assert "strict-transport-security" not in response.headers


def test_a_crash_answers_a_json_500_with_the_headers_and_the_request_id(
    sqlite_url: str, app_on: Callable[..., TestClient], request_log: RequestLog
) -> None:
    client = app_on(sqlite_url)

    @client.app.get("/crash-for-the-test")  # type: ignore[attr-defined]
    def crash() -> None:
        raise RuntimeError("a bug with a secret in its message")

    response = client.get("/crash-for-the-test")

    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error; the server log has the details"}
    assert response.headers["x-frame-options"] == "DENY"
    line = request_log()[-1]
    assert (line["status"], line["request_id"]) == (500, response.headers["X-Request-ID"])


def test_a_header_a_route_sets_itself_is_kept_and_not_repeated(
    sqlite_url: str, app_on: Callable[..., TestClient]
) -> None:
    client = app_on(sqlite_url)

    @client.app.get("/own-policy-for-the-test")  # type: ignore[attr-defined]
    def own_policy() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Content-Security-Policy": "default-src 'none'"})

    response = client.get("/own-policy-for-the-test")

    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert response.headers["x-frame-options"] == "DENY"


def test_https_responses_ask_browsers_to_keep_to_https(
    sqlite_url: str, app_on: Callable[..., TestClient]
) -> None:
    response = app_on(sqlite_url, base_url="https://testserver").get("/healthz")

    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_a_deployment_behind_https_sends_hsts_even_when_the_proxy_speaks_http(
    sqlite_url: str, app_on: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPROVE_SECURE_COOKIES", "true")

    response = app_on(sqlite_url).get("/api/users/me")

    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_any_line_logged_while_a_request_is_served_carries_its_id() -> None:
    def log_while_serving() -> dict[str, Any]:
        open_request("req-7", https=False)
        record = logging.makeLogRecord(
            {"name": "improve.anything", "msg": "hello %s", "args": ("x",)}
        )
        return json.loads(JsonFormatter().format(record))

    line = contextvars.copy_context().run(log_while_serving)

    assert line["request_id"] == "req-7"
    assert line["message"] == "hello x"
