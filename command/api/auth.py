"""Bearer API keys for integrators (`Authorization: Bearer <key>`)."""

from __future__ import annotations

import hashlib
import secrets

from rest_framework import authentication, exceptions

from command.models import ApiKey

PREFIX_LEN = 8


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(name: str, user, raw: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw value, which is shown once and never stored."""
    raw = raw or f"cd_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name, prefix=raw[:PREFIX_LEN], key_hash=hash_key(raw), user=user
    )
    return key, raw


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
        key = (
            ApiKey.objects.select_related("user")
            .filter(key_hash=hash_key(raw), active=True)
            .first()
        )
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        return key.user, key

    def authenticate_header(self, request) -> str:
        return self.keyword
