"""Authentication: any key failure is the same 401, and the tier header follows the key."""

from __future__ import annotations

from starlette.testclient import TestClient

from notai.app import create_app
from notai.tenancy import service

from conftest import Harness, make_settings

ROUTES = ("/v1/integration", "/v1/users/u/sessions", "/v1/sessions/abc")


def assert_invalid_key(response: object) -> None:
    assert getattr(response, "status_code", None) == 401
    body = response.json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "INVALID_API_KEY"
    assert set(body["error"]) == {"code", "message", "details"}
    assert "x-isnotai-tier" not in response.headers  # type: ignore[attr-defined]


def test_every_key_failure_is_the_same_401(harness: Harness) -> None:
    integration = harness.integration()
    revoked = harness.key(integration)
    harness.run(service.revoke_key_by_value, harness.db, harness.settings, revoked)
    unknown = "aik_v1_" + "A" * 40
    cases: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-key"},
        {"Authorization": "Basic " + unknown},
        {"Authorization": f"Bearer {unknown}"},
        {"Authorization": f"Bearer {revoked}"},
        {"x-api-key": unknown},
    ]
    for route in ROUTES:
        for headers in cases:
            assert_invalid_key(harness.client.get(route, headers=headers))


def test_bearer_and_x_api_key_both_work_and_bearer_wins(harness: Harness) -> None:
    good = harness.key(harness.integration("pro"))
    bad = "aik_v1_" + "B" * 40

    assert harness.client.get("/v1/integration", headers={"x-api-key": good}).status_code == 200
    both = harness.client.get(
        "/v1/integration", headers={"Authorization": f"Bearer {good}", "x-api-key": bad}
    )
    assert both.status_code == 200
    assert both.headers["x-isnotai-tier"] == "pro"
    assert_invalid_key(
        harness.client.get(
            "/v1/integration", headers={"Authorization": f"Bearer {bad}", "x-api-key": good}
        )
    )


def test_tier_header_on_every_response_after_the_key(harness: Harness) -> None:
    key = harness.key(harness.integration("enterprise"))
    for path in ("/v1/integration", "/v1/sessions/missing", "/v1/users/u/sessions?pageSize=x"):
        response = harness.get(path, key)
        assert response.headers["x-isnotai-tier"] == "enterprise", path


def test_integration_body(harness: Harness) -> None:
    integration = harness.integration("pro")
    key = harness.key(integration)

    body = harness.get("/v1/integration", key).json()["data"]

    assert body["id"] == integration
    assert body["tier"] == "pro"
    assert body["region"] == "us"
    assert body["apiKeyMasked"].startswith(key[:11])
    assert body["apiKeyMasked"].endswith(key[-4:])
    assert key not in harness.get("/v1/integration", key).text
    assert body["maxPageSize"] == 100


def test_key_of_the_other_region_is_refused(database_url: str) -> None:
    us = make_settings(database_url, "us")
    eu = make_settings(database_url, "eu")
    with TestClient(create_app(eu)) as client:
        db = client.app.state.services.db  # type: ignore[attr-defined]
        assert client.portal is not None
        integration = client.portal.call(service.create_integration, db, "EU school", "free", "eu")
        eu_key = client.portal.call(service.create_key, db, eu, integration.id).key
        assert client.get("/v1/integration", headers={"x-api-key": eu_key}).status_code == 200
    with TestClient(create_app(us)) as client:
        assert_invalid_key(client.get("/v1/integration", headers={"x-api-key": eu_key}))


def test_unknown_route_and_method_use_the_envelope(harness: Harness) -> None:
    missing = harness.client.get("/v1/nothing-here")
    post = harness.client.post("/v1/integration")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    assert post.status_code == 405
    assert post.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_health(harness: Harness) -> None:
    body = harness.client.get("/health").json()

    assert body["status"] == "ok"
    assert set(body) == {"status", "version", "timestamp"}
