"""Twilio's REST API (Messages resource). Sending a mainland citizen's number to Twilio is a
cross-border transfer under PIPL: deployments in China use the `http` gateway to a domestic
provider instead, by configuration alone."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from integrations.sms.backends.base import Gateway, GatewayError, Sent

TIMEOUT_S = 10.0


class TwilioGateway(Gateway):
    name = "twilio"

    def __init__(self, http_client: TwilioHttpClient | None = None) -> None:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise GatewayError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set", retry=False)
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=http_client or TwilioHttpClient(timeout=TIMEOUT_S),
        )

    def send(self, to: str, body: str) -> Sent:
        options = {"to": to, "from_": settings.TWILIO_FROM_NUMBER, "body": body}
        if settings.CITYDESK_PUBLIC_BASE_URL:
            options["status_callback"] = settings.CITYDESK_PUBLIC_BASE_URL.rstrip("/") + reverse(
                "twilio-sms-status"
            )
        try:
            message = self.client.messages.create(**options)
        except TwilioRestException as error:
            # 429 and 5xx pass; any other 4xx (a bad number, an unverified sender) will not.
            retry = error.status == 429 or error.status >= 500
            message = f"twilio answered {error.status} (code {error.code})"
            raise GatewayError(message, retry=retry) from None
        except (TwilioException, OSError) as error:
            raise GatewayError(f"twilio unreachable: {type(error).__name__}") from error
        return Sent(message.sid, message.status or "sent")
