"""The FastAPI application: the API routers, the pages, static files and error mapping."""

from __future__ import annotations

from fastapi import FastAPI

from service.web.api import auth, cycles, organisation, workflows
from service.web.errors import install_error_handlers


def create_app() -> FastAPI:
    app = FastAPI(
        title="improvement-engine",
        summary="Gated improvement cycles for school leadership teams.",
        version="0.1.0",
    )
    for router in (auth.router, organisation.router, cycles.router, workflows.router):
        app.include_router(router)
    install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
