"""The OpenAPI 3 document, built from the operation table and the msgspec response types."""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from notai import __version__
from notai.api.errors import ErrorBody
from notai.api.operations import OPERATIONS, Operation, Parameter

_REF = "#/components/schemas/{name}"
_ERROR_TEXT = {
    400: "INVALID_PARAMETER or INVALID_CURSOR; details.field names the value.",
    401: "INVALID_API_KEY: missing, malformed, unknown, revoked or other-region key.",
    404: "NOT_FOUND: no such resource for this key.",
    429: "RATE_LIMITED: the plan's requests per minute are used; see Retry-After.",
    500: "INTERNAL_ERROR: a bug, logged on the server; retryable for reads.",
    503: "SERVICE_UNAVAILABLE: the database does not answer; retry.",
}


@cache
def openapi_document() -> dict[str, Any]:
    types = [op.response for op in OPERATIONS] + [ErrorBody]
    refs, components = msgspec.json.schema_components(types, ref_template=_REF)
    paths: dict[str, Any] = {}
    for operation, ref in zip(OPERATIONS, refs, strict=False):
        paths.setdefault(operation.path, {})["get"] = _operation(operation, ref)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "notai REST API",
            "version": __version__,
            "description": "Read-only API over sessions scored for AI-agent activity.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "aik_v1_..."},
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
            },
        },
    }


def _operation(operation: Operation, ref: dict[str, Any]) -> dict[str, Any]:
    doc = inspect.getdoc(operation.handler) or ""
    summary, _, description = doc.partition("\n\n")
    body: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": summary.replace("\n", " "),
        "description": description,
        "parameters": [_parameter(p) for p in operation.parameters],
        "responses": {"200": _json("OK", ref), **_errors(operation)},
    }
    if operation.authenticated:
        body["security"] = [{"bearer": []}, {"apiKey": []}]
    return body


def _parameter(parameter: Parameter) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": parameter.name,
        "in": parameter.location,
        "required": parameter.required,
        "description": parameter.description,
        "schema": parameter.schema,
    }
    if parameter.location == "query":
        # The routes read an empty query value (`?pageSize=`) as an absent one; the document
        # says so, so that it admits every request the server accepts.
        entry["allowEmptyValue"] = True
    return entry


def _errors(operation: Operation) -> dict[str, Any]:
    error_ref = {"$ref": _REF.format(name="ErrorBody")}
    if not operation.authenticated:
        return {
            str(s): _json(_ERROR_TEXT[s], {"$ref": _REF.format(name="Health")})
            for s in operation.errors
        }
    return {str(s): _json(_ERROR_TEXT[s], error_ref) for s in operation.errors}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


async def serve_openapi(request: Request) -> Response:
    """The OpenAPI 3 document of this API (no key needed)."""
    return Response(msgspec.json.encode(openapi_document()), media_type="application/json")
