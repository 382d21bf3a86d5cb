"""The API's documentation page in Chromium, where the app is the only site it can reach."""

from __future__ import annotations

import json
import urllib.request

import pytest
from browser_factories import LiveServer
from browser_steps import screenshot
from playwright.sync_api import ConsoleMessage, Page, Route, expect

pytestmark = pytest.mark.browser


def _operations(live_server: LiveServer) -> int:
    with urllib.request.urlopen(f"{live_server.base_url}/openapi.json", timeout=10) as response:
        paths = json.load(response)["paths"]
    return sum(len(operations) for operations in paths.values())


def test_the_api_docs_list_every_operation_with_nothing_but_the_app_reachable(
    page: Page, live_server: LiveServer
) -> None:
    elsewhere: list[str] = []
    refused_by_policy: list[str] = []

    def only_the_app(route: Route) -> None:
        if route.request.url.startswith(f"{live_server.base_url}/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def note_policy_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused_by_policy.append(message.text)

    page.context.route("**/*", only_the_app)
    page.on("console", note_policy_refusal)
    page.goto("/docs")

    expect(page.locator(".opblock")).to_have_count(_operations(live_server))
    expect(page.locator(".opblock-summary-path", has_text="/api/auth/token").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert elsewhere == []
    assert refused_by_policy == []
    screenshot(page, "api-docs")
