"""The collector's routes: everything a pixel talks to."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from notai.collect.endpoints import collect_batch, collect_preflight
from notai.collect.pixel_asset import serve_pixel
from notai.collect.websocket import collect_stream


def collector_routes() -> list[BaseRoute]:
    return [
        Route("/api.js", serve_pixel, methods=["GET", "HEAD"]),
        Route("/collect/v1/batch", collect_batch, methods=["POST"]),
        Route("/collect/v1/batch", collect_preflight, methods=["OPTIONS"]),
        WebSocketRoute("/collect/v1/ws", collect_stream),
    ]
