"""``create_app``: the FastAPI application of the local server, routers and error handlers wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .._version import __version__
from .config import ServerSettings
from .launcher import Launcher
from .problems import install_error_handlers
from .routers import admin, auth, exec, files, sandboxes
from .runtime import LocalRuntime


def create_app(settings: ServerSettings, launcher: Launcher | None = None) -> FastAPI:
    runtime = LocalRuntime(settings, launcher)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.startup()
        yield
        await runtime.shutdown()

    app = FastAPI(
        title="islo_jupyter local server",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)

    @app.get("/healthz", tags=["local extensions"])
    async def healthz() -> dict[str, str]:
        """Unauthenticated liveness probe; says nothing but ``ok``."""
        return {"status": "ok"}

    for module in (auth, sandboxes, exec, files, admin):
        app.include_router(module.router)
    return app
