"""The collector's routes: everything a pixel talks to."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from notai.collect.endpoints import collect_batch, collect_preflight


def collector_routes() -> list[BaseRoute]:
    return [
        Route("/collect/v1/batch", collect_batch, methods=["POST"]),
        Route("/collect/v1/batch", collect_preflight, methods=["OPTIONS"]),
    ]
