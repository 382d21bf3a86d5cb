"""The app's routes as (method, path) pairs, read from its own route table, with their URLs filled.

FastAPI nests included routers; `iter_route_contexts` flattens them the way the OpenAPI
generator does, so a route added anywhere shows up here without a list to keep in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from security_world import World
from starlette.routing import Mount

from service.web.pages.routing import PageRoute

PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")

SELF_ENDING = {
    "POST /api/auth/revoke": "revokes the very token that calls it",
    "POST /sign-out": "ends the very session that calls it",
    "DELETE /api/users/me/calendar-tokens": "turns off the calendar links other tests read with",
}
"""Called only anonymously by these tests: signed in, they would end the tests' own sessions."""


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    is_page: bool
    """A server-rendered page (cookie session, CSRF token in forms) rather than the JSON API."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every method of every route the app answers, mounts included (as GET of the mount)."""
    found: list[Endpoint] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(Endpoint("GET", route.path, is_page=False))
            continue
        is_page = isinstance(route, PageRoute)
        methods = sorted(context.methods or ())
        # Starlette answers HEAD wherever it answers GET; GET stands for both.
        if not isinstance(route, APIRoute):
            methods = [m for m in methods if m != "HEAD"]
        found.extend(Endpoint(method, context.path, is_page) for method in methods)
    return found


def path_values(world: World, endpoint: Endpoint) -> dict[str, object]:
    """A real value for each path parameter the world can fill, all of the victim's."""
    records = "/records/" in endpoint.path
    return {
        "program_id": world.program_id,
        "school_id": world.school_id,
        "team_id": world.team_id,
        "cycle_id": world.cycle_id,
        "kind": "data_collection" if records else "purpose_map",
        "item": world.record_item,
        "revision": 1,
        "trigger": "start_review",
        "name": "vision-and-strategy",
        "instrument": "systems-conditions",
    }


def unfillable(world: World, endpoint: Endpoint) -> list[str]:
    return [p for p in endpoint.parameters if p not in path_values(world, endpoint)]


def url(world: World, endpoint: Endpoint) -> str:
    values = path_values(world, endpoint)
    return PARAMETER.sub(lambda m: str(values[m.group(1)]), endpoint.path)
