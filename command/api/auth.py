"""The API's `Authorization: Bearer <api key>` scheme, over command.api_keys."""

from __future__ import annotations

import copy

from rest_framework import authentication, exceptions

from command import api_keys, request_log


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: Bearer <api key> expected.")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from exc
        key = api_keys.valid_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        # Logged for its integrator once answered (command.api.request_logging); limited by
        # command.api.throttle.
        request_log.attach(request._request, key)
        # A copy per request: the request may annotate its user; the cached one stays as read.
        return copy.copy(key.user), key

    def authenticate_header(self, request) -> str:
        return self.keyword
