"""The FastAPI application: the API routers, the pages, static files and error mapping."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.web import health, pages
from service.web.api import (
    auth,
    calendar,
    coaching,
    cycles,
    feedback,
    organisation,
    programs,
    sharing,
    workflows,
)
from service.web.api.surveys import router as surveys_router
from service.web.api_docs import install_api_docs
from service.web.errors import install_error_handlers
from service.web.middleware import RequestMiddleware
from service.web.pages.rendering import STATIC_DIR


def create_app() -> FastAPI:
    app = FastAPI(
        title="improvement-engine",
        summary="Gated improvement cycles for school leadership teams.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
    )
    for router in (
        auth.router,
        organisation.router,
        cycles.router,
        coaching.router,
        feedback.router,
        programs.router,
        sharing.router,
        calendar.router,
        workflows.router,
        surveys_router,
    ):
        app.include_router(router)
    app.include_router(pages.router)
    app.include_router(health.router)
    install_api_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    app.add_middleware(RequestMiddleware)
    return app
