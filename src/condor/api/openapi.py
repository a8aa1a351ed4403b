"""The native API's OpenAPI document, with its error answers documented.

Invariant: every ``/api/v1`` operation documents the problem+json answers ``errors`` can give
(400 malformed body, 401, 403, 404, 409, 422, 503; RFC 9457 with Condor's ``reason`` and
``field``), in place of FastAPI's default 422 ``HTTPValidationError``, so that a client
generated from ``/openapi.json`` (or schemathesis) knows every status and body it can get.
Dialect routes keep their own documents: their errors are their broker's format.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from condor.api.errors import PROBLEM

NATIVE = "/api/v1"
_ERRORS = {
    "400": "Malformed request body",
    "401": "No or bad credentials",
    "403": "A permission the caller lacks",
    "404": "Unknown resource named by the path",
    "409": "Conflict with the current state (order ended, funds, session, duplicate ClOrdID)",
    "422": "Invalid input (the field at fault in ``field``)",
    "503": "The journal cannot store commands (nothing was accepted)",
}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "reason": {"type": ["string", "null"]},
        "field": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": ["string", "null"]},
                    "reason": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}


def document(spec: dict) -> dict:
    """Add the problem answers to every native operation of ``spec`` (changed in place)."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, ops in spec.get("paths", {}).items():
        if not path.startswith(NATIVE):
            continue
        for op in ops.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, text in _ERRORS.items():
                op["responses"][status] = {
                    "description": text,
                    "content": {PROBLEM: {"schema": ref}},
                }
    schemas = spec["components"]["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        if not _referenced(spec, unused):
            schemas.pop(unused, None)
    return spec


def _referenced(spec: dict, name: str) -> bool:
    target = f"#/components/schemas/{name}"

    def walk(x) -> bool:
        if isinstance(x, dict):
            return x.get("$ref") == target or any(walk(v) for v in x.values())
        if isinstance(x, list):
            return any(walk(v) for v in x)
        return False

    return walk({k: v for k, v in spec.items() if k != "components"}) or any(
        walk(v) for k, v in spec["components"]["schemas"].items() if k != name
    )


def install(app: FastAPI) -> None:
    """Serve ``document(...)`` of the app's routes at ``/openapi.json`` (built once)."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi
