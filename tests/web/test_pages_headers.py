"""Pages under the security headers, the API docs' own policy, cookie flags, sign-in limits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_factories import PASSWORD, new_person, new_team, sign_in, signed_in
from sqlalchemy import Engine

from service.settings import get_settings
from service.web.app import create_app
from service.web.pages import cookies
from service.web.pages.rendering import TEMPLATES_DIR
from service.web.security_headers import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (directive.split() for directive in policy.split(";") if directive.strip())
    return {name: sources for name, *sources in parts}


def _set_cookies(response: Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


class _Loads(HTMLParser):
    """The URLs a page loads scripts and stylesheets from, and whether it has inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.scripts.append(found["src"] or "")
            else:
                self.inline_script = True
        if tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(found.get("href") or "")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


@pytest.mark.parametrize("path", ["/sign-in", "/teams/999999999", "/static/site.css"])
def test_pages_and_their_assets_carry_the_strict_headers(
    client: TestClient, web_db: Engine, path: str
) -> None:
    if path.startswith("/teams"):
        signed_in(client, new_person(web_db))

    response = client.get(path)

    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_page_policy_allows_nothing_inline_and_no_framing() -> None:
    policy = _directives(CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == ["'self'"]
    assert "script-src" not in policy
    assert "style-src" not in policy
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("template", sorted(TEMPLATES_DIR.glob("*.html")), ids=lambda p: p.name)
def test_no_template_needs_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    loads = _Loads()
    loads.feed(text)
    assert not loads.inline_script
    assert not re.search(r"\s(on[a-z]+|style)\s*=", text)


def test_the_api_docs_get_a_policy_that_admits_exactly_what_they_load(client: TestClient) -> None:
    response = client.get("/docs")
    loads = _Loads()
    loads.feed(response.text)

    policy = _directives(response.headers["content-security-policy"])
    assert response.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    assert loads.scripts
    assert {_origin(url) for url in loads.scripts} <= set(policy["script-src"])
    assert {_origin(url) for url in loads.styles} <= set(policy["style-src"])
    assert loads.inline_script
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("base_url", ["http://testserver", "https://testserver"])
def test_session_cookies_are_httponly_lax_and_secure_over_https(
    web_db: Engine, base_url: str
) -> None:
    email = new_person(web_db)
    with TestClient(create_app(), base_url=base_url) as browser:
        form = browser.get("/sign-in")
        signed = sign_in(browser, email)

    presession = _set_cookies(form)[cookies.PRESESSION]
    issued = _set_cookies(signed)
    for cookie in (presession, issued[cookies.SESSION], issued[cookies.PRESESSION]):
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert ("Secure" in cookie) == base_url.startswith("https")


@pytest.fixture
def strict_limits(web_db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("IMPROVE_SIGN_IN_FAILURES_PER_ACCOUNT", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_sign_in_page_refuses_a_locked_account_even_with_its_password(
    strict_limits: None, web_db: Engine
) -> None:
    email = new_person(web_db, member_of=(new_team(web_db).team_id,))
    address = f"192.0.2.{uuid.uuid4().int % 250}"
    with TestClient(create_app(), client=(address, 50000)) as browser:
        for _ in range(2):
            assert sign_in(browser, email, "not the password").status_code == 401

        refused = sign_in(browser, email, PASSWORD)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= get_settings().sign_in_window_seconds
    assert refused.template.name == "sign_in.html"
    assert refused.context["error"].startswith("Too many failed sign-ins")
    assert cookies.SESSION not in _set_cookies(refused)
