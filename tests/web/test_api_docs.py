"""/docs: Swagger UI served by the app itself, under a policy that admits only its own scripts."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

DOCS_PAGES = ("/docs", "/docs/oauth2-redirect")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (directive.split() for directive in policy.split(";") if directive.strip())
    return {name: sources for name, *sources in parts}


def _hash_source(script: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def test_the_docs_page_loads_swagger_ui_from_this_site(client: TestClient) -> None:
    page = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)

    assert len(assets) == 3  # Swagger UI's script, its stylesheet and the icon
    for asset in assets:
        assert asset.startswith("/docs/assets/")
        assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize("path", DOCS_PAGES)
def test_the_docs_policy_admits_this_site_and_the_pages_own_inline_scripts_only(
    client: TestClient, path: str
) -> None:
    own_scripts = {
        _hash_source(script)
        for page in DOCS_PAGES
        for script in INLINE_SCRIPT.findall(client.get(page).text)
    }

    response = client.get(path)
    policy = _directives(response.headers["content-security-policy"])

    assert INLINE_SCRIPT.search(response.text)
    assert set(policy["script-src"]) == {"'self'", *own_scripts}
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in s or "//" in s for sources in policy.values() for s in sources)


def test_redoc_is_not_served(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
