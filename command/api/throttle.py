"""The per-key rate limit for the v1 API (command.api_keys.admit): 429 JSON with Retry-After."""

from __future__ import annotations

from rest_framework import exceptions, throttling

from command import api_keys
from command.models import ApiKey


class ApiKeyRateThrottle(throttling.BaseThrottle):
    """Requests authenticated by a key count against its limit; signed-in staff are not
    limited here (their pages are not an integration)."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        wait = api_keys.admit(key)
        if wait is None:
            return True
        limit = api_keys.rate_limit_of(key)
        raise exceptions.Throttled(
            wait,
            detail=f"This API key is over its limit of {limit} requests a minute.",
        )
