"""The OpenAPI description of the HTTP API (``GET /api/openapi.json``).

Hand-maintained beside ``api.py`` and docs/protocol.md: it describes the routes
machines call (events, snapshot, commands, health), so that tools such as schemathesis
can fuzz them. Commands are described loosely (an object with a ``type``) on purpose:
the server's own decoder is the authority and the fuzzer should reach it with
anything shaped like JSON.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

_ERROR = {
    "type": "object",
    "required": ["type", "code", "message"],
    "properties": {
        "type": {"type": "string"},
        "id": {"type": ["string", "null"]},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}
_SESSION = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]


def _errors(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": "a clear error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status in statuses
    }


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "hostkit HTTP API", "version": "1"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _ERROR},
    },
    "paths": {
        "/healthz": {
            "get": {
                "summary": "Is the server up and taking work?",
                "responses": {
                    "200": {"description": "serving"},
                    "503": {"description": "stopping"},
                },
            }
        },
        "/api/sessions/{session_id}/events": {
            "get": {
                "summary": "Committed events after a sequence number (long-poll), or a snapshot",
                "security": _AUTH,
                "parameters": [
                    _SESSION,
                    {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "wait", "in": "query", "schema": {"type": "number", "minimum": 0}},
                ],
                "responses": {"200": {"description": "events or snapshot"}}
                | _errors(400, 401, 404, 429),
            }
        },
        "/api/sessions/{session_id}/snapshot": {
            "get": {
                "summary": "The session as the caller may see it now",
                "security": _AUTH,
                "parameters": [_SESSION],
                "responses": {"200": {"description": "snapshot"}} | _errors(401, 404, 429),
            }
        },
        "/api/sessions/{session_id}/commands": {
            "post": {
                "summary": "Submit one command; answered after it is durable",
                "security": _AUTH,
                "parameters": [_SESSION],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id", "command"],
                                "properties": {
                                    "id": {"type": "string", "minLength": 1, "maxLength": 64},
                                    "command": {
                                        "type": "object",
                                        "required": ["type"],
                                        "properties": {"type": {"type": "string"}},
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "acknowledged"}}
                | _errors(400, 401, 403, 404, 413, 422, 429, 503),
            }
        },
    },
}


async def openapi_json(request: Request) -> Response:
    return JSONResponse(SPEC)
