"""A generic HTTP gateway for a domestic SMS provider (or the city's own SMS platform): keeps
citizens' numbers inside China (PIPL) by configuration alone.

    POST CITYDESK_SMS_HTTP_URL
    Authorization: Bearer CITYDESK_SMS_HTTP_TOKEN
    Content-Type: application/json
    {"to": "+8613800138000", "body": "...", "status_callback": "https://.../"}   (callback optional)

    2xx {"id": "<provider id>", "status": "<optional>"}: taken; 429 or 5xx or no answer: tried
    again later; any other answer: refused for good.

Most domestic providers' own APIs differ (signed query strings, template ids): a small relay
that speaks this shape, or a subclass of this gateway, adapts one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from integrations.sms.backends.base import Gateway, GatewayError, Sent

TIMEOUT_S = 10.0


class HttpGateway(Gateway):
    name = "http"

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url or settings.CITYDESK_SMS_HTTP_URL
        self.token = token if token is not None else settings.CITYDESK_SMS_HTTP_TOKEN
        if not self.url:
            raise GatewayError("CITYDESK_SMS_HTTP_URL is not set", retry=False)

    def send(self, to: str, body: str) -> Sent:
        data = json.dumps({"to": to, "body": body}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            retry = error.code == 429 or error.code >= 500
            raise GatewayError(f"SMS gateway answered {error.code}", retry=retry) from None
        except (OSError, ValueError) as error:  # unreachable, timed out, or not JSON
            raise GatewayError(f"SMS gateway failed: {type(error).__name__}") from None
        provider_id = str(answer.get("id", "")) if isinstance(answer, dict) else ""
        if not provider_id:
            raise GatewayError("SMS gateway answered without an id", retry=False)
        return Sent(provider_id, str(answer.get("status") or "sent"))
