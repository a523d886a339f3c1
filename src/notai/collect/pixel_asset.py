"""Serving the pixel: `GET /api.js`, the minified script an LMS page loads.

The script's URL never changes (it is pasted once into an LMS theme), so browsers may keep it
for an hour and then revalidate with its ETag: a new release reaches every page within the
hour, and revalidation costs a 304 without a body.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

PIXEL_PACKAGE = "notai.collect.pixel"
MINIFIED = "api.min.js"
SOURCE = "api.js"
CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"
MEDIA_TYPE = "application/javascript; charset=utf-8"


class PixelScript:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@lru_cache(maxsize=1)
def pixel_script() -> PixelScript:
    """The minified pixel shipped inside the package (built by scripts/build-pixel)."""
    return PixelScript(resources.files(PIXEL_PACKAGE).joinpath(MINIFIED).read_bytes())


def pixel_source() -> bytes:
    """The readable source the minified pixel is built from."""
    return resources.files(PIXEL_PACKAGE).joinpath(SOURCE).read_bytes()


async def serve_pixel(request: Request) -> Response:
    """The pixel script. Loaded by `<script src=".../api.js" data-key="..." async>`."""
    script = pixel_script()
    headers = {
        "cache-control": CACHE_CONTROL,
        "etag": script.etag,
        # Pages that isolate themselves (COEP) may still load it; it sets no cookies.
        "cross-origin-resource-policy": "cross-origin",
        "x-content-type-options": "nosniff",
    }
    if script.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(script.body, media_type=MEDIA_TYPE, headers=headers)
