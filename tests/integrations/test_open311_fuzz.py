"""The Open311 endpoints fuzzed from their OpenAPI description (/open311/v2/openapi.json) with
schemathesis, in-process through Django's WSGI handler (no network): valid and invalid
requests alike must never answer 5xx, and every answer must be one the description allows, its
JSON shaped as described. POSTs carry the demo's intake key, so generated requests reach the
intake rather than stopping at the key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from command import demo
from command.models import Report

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler inside the test's transaction: as Django's test client does, the
    requests must not close the test's connection (which would roll its transaction back)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def open311_schema(city, wsgi_app, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    return schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", wsgi_app)


# Per operation and mode: 7 operations x 2 modes x 20 examples, about half a minute here.
EXAMPLES = 20


# schemathesis.pytest.from_fixture reads a pytest internal that pytest 9 no longer has
# (`Function._nodeid`), so each operation's strategy is driven by Hypothesis directly.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_open311_never_answers_5xx_and_keeps_to_its_description(open311_schema, mode):
    key = demo.load_api_key()
    operations = [result.ok() for result in open311_schema.get_all_operations()]
    assert len(operations) == 7  # discovery, services, a definition, list, POST, one, token

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same examples every run: any failure can be repeated
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exchange(case) -> None:
            if case.method == "POST" and isinstance(case.body, dict) and "api_key" in case.body:
                case.body["api_key"] = key
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        exchange()

    if mode == GenerationMode.POSITIVE:
        # Generated requests got through to the intake, not only to the refusals before it.
        assert Report.objects.filter(source__code="web").exists()
