"""OpenAPI description of the Bearer API key (imported by the views so drf-spectacular sees it)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "command.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An integrator's API key: `Authorization: Bearer <key>`. Each key "
            "has a rate limit (requests a minute): over it, 429 with Retry-After.",
        }
