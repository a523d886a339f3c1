"""The dashboard's routes."""

from __future__ import annotations

from starlette.routing import BaseRoute


def dashboard_routes() -> list[BaseRoute]:
    return []
