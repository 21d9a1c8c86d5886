"""An OpenAPI 3 description of the GeoReport v2 endpoints as served here: what clients read at
/open311/v2/openapi.json, and what tests/integrations/test_open311_fuzz.py fuzzes with
schemathesis. Service codes are listed from the catalogue, so generated requests reach intake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

STRING = {"type": "string"}
TEXT_OR_NULL = {"type": "string", "nullable": True}
FORMAT = {
    "name": "format",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
    "description": "json or xml (the resource's extension)",
}
JURISDICTION = {"name": "jurisdiction_id", "in": "query", "required": False, "schema": STRING}
LOCALE = {
    "name": "locale",
    "in": "query",
    "required": False,
    "schema": STRING,
    "description": "en or zh (names and notes); else Accept-Language",
}


def document(base: str, service_codes: Sequence[str] = ()) -> dict[str, Any]:
    """The description, its paths under `base` ("/open311/v2")."""
    code = {"type": "string", **({"enum": list(service_codes)} if service_codes else {})}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CityDesk Open311 GeoReport v2",
            "version": "2",
            "description": "http://wiki.open311.org/GeoReport_v2 as served by CityDesk: "
            "service_request_id is a report's id; status open/closed, the finer state in "
            "status_notes; no personal data in any answer.",
        },
        "paths": {
            f"{base}/discovery.{{format}}": _get("Service discovery", "Discovery"),
            f"{base}/services.{{format}}": _get("Service list", "Services"),
            f"{base}/services/{{service_code}}.{{format}}": _get(
                "Service definition",
                "ServiceDefinition",
                [{"name": "service_code", "in": "path", "required": True, "schema": STRING}],
            ),
            f"{base}/requests.{{format}}": {
                **_get("Service requests", "Requests", _list_filters()),
                "post": _post(code),
            },
            f"{base}/requests/{{service_request_id}}.{{format}}": _get(
                "One service request (a list of one)",
                "Requests",
                [{"name": "service_request_id", "in": "path", "required": True, "schema": STRING}],
            ),
            f"{base}/tokens/{{token}}.{{format}}": _get(
                "A token's service_request_id (none are issued: every service is realtime)",
                "Tokens",
                [{"name": "token", "in": "path", "required": True, "schema": STRING}],
                ok=False,
            ),
        },
        "components": {"schemas": _schemas()},
    }


def _get(
    summary: str,
    body: str,
    parameters: list | None = None,
    *,
    ok: bool = True,
) -> dict:
    # 404 everywhere: a format other than json or xml names no resource, and a jurisdiction_id
    # other than this city's (when one is configured) is not found either.
    responses = {"400": _errors("Bad request"), "404": _errors("Not found")}
    if ok:
        responses["200"] = _content(body, summary)
    return {
        "get": {
            "summary": summary,
            "parameters": [FORMAT, *(parameters or []), JURISDICTION, LOCALE],
            "responses": responses,
        }
    }


def _list_filters() -> list[dict]:
    def query(name: str, description: str, schema: dict | None = None) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema or STRING,
            "description": description,
        }

    return [
        query("service_request_id", "ids, comma-separated; overrides the other filters"),
        query("service_code", "service codes, comma-separated"),
        query("start_date", "w3 date-time with zone", {"type": "string", "format": "date-time"}),
        query("end_date", "w3 date-time with zone", {"type": "string", "format": "date-time"}),
        query("status", "open, closed, or both comma-separated"),
    ]


def _post(code: dict) -> dict:
    # The limits the server checks, so that generated requests can pass them. Attribute answers
    # (attribute[code]) are per service: its definition lists them.
    fields: dict[str, Any] = {
        "api_key": STRING,
        "jurisdiction_id": STRING,
        "service_code": code,
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": 255},
        "address_id": {"type": "string", "maxLength": 128},
        "email": {"type": "string", "pattern": r"^[a-z0-9]{1,20}@[a-z0-9]{1,20}\.[a-z]{2,6}$"},
        "device_id": {"type": "string", "maxLength": 128},
        "account_id": {"type": "string", "maxLength": 128},
        "first_name": {"type": "string", "maxLength": 30},
        "last_name": {"type": "string", "maxLength": 30},
        "phone": {"type": "string", "pattern": r"^\+?[0-9]{5,20}$"},
        "description": {"type": "string", "maxLength": 4000},
        "media_url": {
            "type": "string",
            "pattern": r"^https?://[a-z0-9]{1,20}\.[a-z]{2,6}(/[a-z0-9._~-]{1,20}){0,3}$",
        },
    }
    return {
        "summary": "Create a service request (through the intake, source web)",
        "parameters": [FORMAT],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["api_key", "service_code"],
                        "properties": fields,
                    }
                }
            },
        },
        "responses": {
            "200": _content("Created", "Created"),
            "400": _errors("Bad request"),
            "403": _errors("Missing or invalid api_key"),
            "404": _errors("service_code or jurisdiction_id not found"),
            "429": _errors("Over the api_key's rate limit; see Retry-After"),
            "503": _errors("The database did not answer; retry"),
        },
    }


def _content(name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}},
            "text/xml": {"schema": STRING},
        },
    }


def _errors(description: str) -> dict:
    return _content("Errors", description)


def _schemas() -> dict:
    def strict(properties: dict, required: list[str] | None = None) -> dict:
        return {
            "type": "object",
            "properties": properties,
            "required": required or list(properties),
            "additionalProperties": False,
        }

    request = strict(
        {
            "service_request_id": STRING,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": STRING,
            "service_name": STRING,
            "service_code": STRING,
            "description": STRING,
            "agency_responsible": TEXT_OR_NULL,
            "service_notice": STRING,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
            "address": TEXT_OR_NULL,
            "address_id": TEXT_OR_NULL,
            "zipcode": TEXT_OR_NULL,
            "lat": {"type": "number", "nullable": True},
            "long": {"type": "number", "nullable": True},
            "media_url": TEXT_OR_NULL,
        }
    )
    attribute = strict(
        {
            "variable": {"type": "boolean"},
            "code": STRING,
            "datatype": {
                "type": "string",
                "enum": [
                    "string",
                    "number",
                    "datetime",
                    "text",
                    "singlevaluelist",
                    "multivaluelist",
                ],
            },
            "required": {"type": "boolean"},
            "datatype_description": TEXT_OR_NULL,
            "order": {"type": "integer", "minimum": 1},
            "description": STRING,
            "values": {"type": "array", "items": strict({"key": STRING, "name": STRING})},
        }
    )
    endpoint = strict(
        {
            "specification": STRING,
            "url": STRING,
            "changeset": STRING,
            "type": {"type": "string", "enum": ["production", "test"]},
            "formats": {"type": "array", "items": STRING},
        }
    )
    return {
        "Discovery": strict(
            {
                "changeset": STRING,
                "contact": STRING,
                "key_service": STRING,
                "endpoints": {"type": "array", "items": endpoint},
            }
        ),
        "Services": {
            "type": "array",
            "items": strict(
                {
                    "service_code": STRING,
                    "service_name": STRING,
                    "description": STRING,
                    "metadata": {"type": "boolean"},
                    "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                    "keywords": STRING,
                    "group": STRING,
                }
            ),
        },
        "ServiceDefinition": strict(
            {"service_code": STRING, "attributes": {"type": "array", "items": attribute}}
        ),
        "Requests": {"type": "array", "items": request},
        "Created": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": strict(
                {
                    "service_request_id": STRING,
                    "service_notice": STRING,
                    "account_id": TEXT_OR_NULL,
                },
            ),
        },
        "Tokens": {
            "type": "array",
            "items": strict({"service_request_id": STRING, "token": STRING}),
        },
        "Errors": {
            "type": "array",
            "minItems": 1,
            "items": strict({"code": {"type": "integer"}, "description": STRING}),
        },
    }
