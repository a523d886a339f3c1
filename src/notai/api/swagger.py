"""`GET /swagger`: the interactive API page, with Swagger UI vendored so it needs no internet.

The page loads this server's `/openapi/v3.json`. The key a person types into it stays in that
browser tab's memory: Swagger UI runs with `persistAuthorization` off, and the page's
Content-Security-Policy lets it talk to this server only.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

SWAGGER_UI_VERSION = "5.35.0"
STATIC_DIR = Path(__file__).parent / "static" / "swagger"
PAGE_PATH = "/swagger"
ASSETS_PATH = "/swagger/assets"

# Every script and style comes from this server, and requests go to this server only; no
# inline script can run, and no other site can frame the page (where a key is typed).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

# Asset links are relative to the page, so the page also works under a path prefix; the
# empty icon spares the browser a request for /favicon.ico, which notai does not serve.
PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>notai REST API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="swagger/assets/swagger-ui.css?v={SWAGGER_UI_VERSION}">
  <link rel="stylesheet" href="swagger/assets/notai-swagger.css">
</head>
<body>
  <header class="notai-header">
    <h1>notai REST API v1</h1>
    <p>Press <strong>Authorize</strong> and paste an API key (<code>aik_v1_…</code>) to try the
    routes against this server. The key stays in this browser tab only: it is kept in the
    page's memory, never written to cookies or local storage, sent to nothing but this server,
    and forgotten when you reload or close the tab.
    The document itself is at <a href="openapi/v3.json">openapi/v3.json</a>.</p>
  </header>
  <div id="swagger-ui"></div>
  <script src="swagger/assets/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}"></script>
  <script src="swagger/assets/notai-swagger.js"></script>
</body>
</html>
"""


async def swagger_page(request: Request) -> Response:
    """The interactive API page (no key needed to open it)."""
    return HTMLResponse(PAGE, headers=PAGE_HEADERS)


def swagger_routes() -> list[BaseRoute]:
    """The page and its vendored assets."""
    return [
        Route(PAGE_PATH, swagger_page, methods=["GET"]),
        Mount(ASSETS_PATH, app=StaticFiles(directory=STATIC_DIR), name="swagger-assets"),
    ]
