"""For tests: texts are kept in `outbox` (a module-level list), like django.core.mail.outbox.
`fail_next(n)` makes the next n sends fail as a provider outage would."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from integrations.sms.backends.base import Gateway, GatewayError, Sent


@dataclass(frozen=True)
class Message:
    provider_id: str
    to: str
    body: str


outbox: list[Message] = []
_lock = threading.Lock()
_failures = {"left": 0, "retry": True}


def reset() -> None:
    with _lock:
        outbox.clear()
        _failures.update(left=0, retry=True)


def fail_next(count: int, *, retry: bool = True) -> None:
    """The next `count` sends raise GatewayError(retry=retry)."""
    with _lock:
        _failures.update(left=count, retry=retry)


class LocmemGateway(Gateway):
    name = "locmem"

    def send(self, to: str, body: str) -> Sent:
        with _lock:
            if _failures["left"] > 0:
                _failures["left"] -= 1
                raise GatewayError("locmem: failing as asked", retry=_failures["retry"])
            message = Message(f"locmem-{len(outbox) + 1}", to, body)
            outbox.append(message)
        return Sent(message.provider_id)
