"""The dashboard's routes, and the documentation site's."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from notai.dashboard import review_pages, setup_pages, sign_in
from notai.dashboard.docs import docs_page
from notai.dashboard.render import not_found

STATIC = Path(__file__).parent / "static"
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


async def _to_dashboard(request: Request) -> Response:
    return RedirectResponse("/dashboard/users", status_code=303)


def dashboard_routes() -> list[BaseRoute]:
    pages = [
        Route("/", review_pages.home, methods=["GET"]),
        Route("/sign-in", sign_in.sign_in_form, methods=["GET"]),
        Route("/sign-in", sign_in.sign_in, methods=["POST"]),
        Route("/sign-out", sign_in.sign_out, methods=["POST"]),
        Route("/integration", setup_pages.integration_page, methods=["GET"]),
        Route("/keys", setup_pages.keys_page, methods=["GET"]),
        Route("/keys", setup_pages.mint_key, methods=["POST"]),
        Route("/keys/{key_id}/revoke", setup_pages.revoke_key, methods=["POST"]),
        Route("/users", review_pages.users_page, methods=["GET"]),
        Route("/users/{user_id:path}/sessions", review_pages.user_sessions_page),
        Route("/sessions", review_pages.sessions_page, methods=["GET"]),
        Route("/sessions/{session_id}", review_pages.session_page, methods=["GET"]),
        Route("/analytics", review_pages.analytics_page, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="dashboard-static"),
        # Any other address under /dashboard is a page too, not the API's JSON 404.
        Route("/{rest:path}", not_found, methods=ANY_METHOD),
    ]
    docs = [
        Route("/", docs_page, methods=["GET"]),
        Route("/{slug}", docs_page, methods=["GET"]),
        Route("/{rest:path}", not_found, methods=ANY_METHOD),
    ]
    return [
        Route("/", _to_dashboard, methods=["GET"]),
        Route("/dashboard", _to_dashboard, methods=["GET"]),
        Mount("/dashboard", routes=pages),
        Route("/docs", docs_page, methods=["GET"]),
        Mount("/docs", routes=docs),
    ]
