"""The OpenAPI document and the routes agree, and responses match the document's schemas."""

from __future__ import annotations

from starlette.routing import Route

from notai.api.operations import OPERATIONS
from notai.app import routes

from conftest import Harness


def test_document_lists_exactly_the_public_get_routes(harness: Harness) -> None:
    document = harness.client.get("/openapi/v3.json").json()
    served = {
        r.path
        for r in routes()
        if isinstance(r, Route)
        and r.methods
        and "GET" in r.methods
        and r.path.startswith(("/v1", "/health"))
    }

    assert set(document["paths"]) == served
    assert {op["get"]["operationId"] for op in document["paths"].values()} == {
        op.operation_id for op in OPERATIONS
    }


def test_every_operation_documents_its_parameters_and_errors(harness: Harness) -> None:
    document = harness.client.get("/openapi/v3.json").json()
    user_sessions = document["paths"]["/v1/users/{userId}/sessions"]["get"]

    assert [p["name"] for p in user_sessions["parameters"]] == ["userId", "pageSize", "cursor"]
    assert {"200", "400", "401"} <= set(user_sessions["responses"])
    assert user_sessions["summary"].startswith("List every session of one LMS user")
    session_schema = document["components"]["schemas"]["PublicSession"]
    assert set(session_schema["required"]) == {
        "id", "createdAt", "updatedAt", "status", "botScore", "detectionFlags",
        "pageUrl", "userAgentSummary", "userId", "userName", "userUrl",
    }  # fmt: skip
    assert session_schema["properties"]["status"]["enum"] == ["active", "closed"]
