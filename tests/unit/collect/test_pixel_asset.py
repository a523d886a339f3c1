"""The pixel script as shipped: built from the committed source, small, served with care."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from notai.collect.pixel_asset import pixel_script, pixel_source, serve_pixel

MAX_GZIPPED_BYTES = 6 * 1024
BUILD_HEADER = re.compile(rb"^/\*! notai pixel (?P<digest>[0-9a-f]{16}) \*/\n")


def client() -> TestClient:
    return TestClient(Starlette(routes=[Route("/api.js", serve_pixel, methods=["GET", "HEAD"])]))


def test_the_committed_build_is_the_build_of_the_committed_source() -> None:
    header = BUILD_HEADER.match(pixel_script().body)

    assert header is not None, "api.min.js lacks its build header: run scripts/build-pixel"
    assert header.group("digest").decode() == hashlib.sha256(pixel_source()).hexdigest()[:16], (
        "api.js changed since api.min.js was built: run scripts/build-pixel"
    )


def test_the_pixel_is_at_most_6_kb_minified_and_gzipped() -> None:
    assert len(gzip.compress(pixel_script().body, compresslevel=9)) <= MAX_GZIPPED_BYTES


def test_the_pixel_sets_no_cookies_and_reads_no_typed_values() -> None:
    source = pixel_source().decode()

    assert "document.cookie" not in source
    assert "localStorage" not in source
    assert "sessionStorage" not in source
    # A field's value is read in one place, for its length.
    assert source.count("el.value") == 1
    assert "('value' in el ? String(el.value) : el.textContent || '').length" in source


def test_api_js_is_served_as_javascript_with_a_cache_policy() -> None:
    response = client().get("/api.js")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript; charset=utf-8"
    assert response.headers["cache-control"].startswith("public, max-age=3600")
    assert response.headers["etag"]
    assert "set-cookie" not in response.headers
    assert response.content == pixel_script().body


def test_a_browser_with_the_current_copy_gets_304() -> None:
    first = client().get("/api.js")

    again = client().get("/api.js", headers={"if-none-match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_the_build_script_is_executable() -> None:
    script = Path(__file__).parents[3] / "scripts" / "build-pixel"

    assert script.stat().st_mode & 0o111
