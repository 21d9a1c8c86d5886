"""The embedded default: texts are written to standard output, the number masked (standard
output is a log in every deployment), like Django's console e-mail backend."""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

from command.privacy import mask_phone
from integrations.sms.backends.base import Gateway, Sent


class ConsoleGateway(Gateway):
    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, to: str, body: str) -> Sent:
        provider_id = f"console-{uuid.uuid4().hex[:16]}"
        self.stream.write(f"[SMS {provider_id}] to {mask_phone(to)}: {body}\n")
        self.stream.flush()
        return Sent(provider_id)
