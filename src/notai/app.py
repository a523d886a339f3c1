"""Builds the ASGI application from its parts."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from notai.api.cursors import CursorCodec
from notai.api.errors import EXCEPTION_HANDLERS
from notai.api.metering import ApiCallMeter
from notai.api.openapi import serve_openapi
from notai.api.operations import OPERATIONS
from notai.api.ratelimit import Clock, rate_limiter_for
from notai.api.state import Services
from notai.api.swagger import swagger_routes
from notai.api.upkeep import api_upkeep
from notai.collect.routes import collector_routes
from notai.dashboard.routes import dashboard_routes
from notai.settings import Settings, load_settings
from notai.store.database import open_database

logger = logging.getLogger("notai")


def routes() -> list[BaseRoute]:
    api: list[BaseRoute] = [Route(op.path, op.handler, methods=["GET"]) for op in OPERATIONS]
    return [
        *api,
        Route("/openapi/v3.json", serve_openapi, methods=["GET"]),
        *swagger_routes(),
        *collector_routes(),
        *dashboard_routes(),
    ]


def create_app(settings: Settings, clock: Clock = time.time) -> Starlette:
    """The app for these settings; the database opens with the app's lifespan.

    `clock` is the wall clock of rate limits and metering (tests pass a fake one).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = await open_database(settings.database_url)
        services = Services(
            settings=settings,
            db=db,
            cursors=CursorCodec(settings.secret),
            limiter=rate_limiter_for(db, clock),
            meter=ApiCallMeter(db, clock),
        )
        app.state.services = services
        try:
            async with api_upkeep(services.meter, services.limiter):
                yield
        finally:
            await db.close()

    return Starlette(routes=routes(), exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)


YOUNG_COLLECTION_THRESHOLD = 50_000
"""Container allocations between two collections of the youngest generation (CPython: 700)."""


def app_from_environment() -> Starlette:
    """Factory for the ASGI server: settings from `NOTAI_*` variables."""
    collect_garbage_less_often()
    return create_app(load_settings())


def collect_garbage_less_often() -> None:
    """Run the cycle collector's young pass every 50,000 allocations instead of every 700.

    The collector allocates thousands of short-lived containers per frame (decoded messages,
    their samples, the detector's state) and frees them by reference counting: the serving
    process makes almost no cyclic garbage, so each pass walks live objects for nothing.
    Measured in docs/performance.md; the older generations keep CPython's ratios.
    """
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)
