"""GET /swagger: the interactive page works offline and keeps the key in the browser tab."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from starlette.testclient import TestClient

from notai.api.swagger import STATIC_DIR
from notai.app import create_app

from conftest import make_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    # The page needs no database: the app is not started, so no lifespan opens one.
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'unused.db'}"))
    return TestClient(app)


def asset_links(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_page_is_html_with_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/swagger")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "stays in this browser tab only" in response.text


def test_page_loads_nothing_from_another_host(client: TestClient) -> None:
    page = client.get("/swagger").text

    links = asset_links(page)
    assert links
    assert not [link for link in links if "//" in link]
    assert "<script>" not in page  # the policy forbids inline scripts: none may be needed


def test_every_linked_asset_is_served(client: TestClient) -> None:
    base = "http://testserver/swagger"
    for link in asset_links(client.get("/swagger").text):
        if link.startswith("data:"):
            continue
        response = client.get(urljoin(base, link))
        assert response.status_code == 200, link
        assert response.content, link


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css")],
)
def test_vendored_assets_have_their_content_types(
    client: TestClient, name: str, content_type: str
) -> None:
    response = client.get(f"/swagger/assets/{name}")

    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert response.content == (STATIC_DIR / name).read_bytes()


def test_swagger_ui_is_configured_to_keep_the_key_in_the_tab() -> None:
    script = (STATIC_DIR / "notai-swagger.js").read_text()

    assert "persistAuthorization: false" in script
    assert "validatorUrl: null" in script  # never send the document to a public validator
    assert 'url: "openapi/v3.json"' in script


def test_vendored_licence_travels_with_the_assets() -> None:
    readme = (STATIC_DIR / "README.md").read_text()

    assert "Apache License" in (STATIC_DIR / "LICENSE").read_text()
    assert "Apache-2.0" in readme
    assert "swagger-ui-dist" in readme


def test_unknown_asset_is_a_json_404(client: TestClient) -> None:
    response = client.get("/swagger/assets/nope.js")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
