"""What every SMS gateway does: send one text, say what the provider answered."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """The provider took the message: its id for delivery reports, and the status it gave."""

    provider_id: str
    status: str = "sent"


class GatewayError(Exception):
    """The provider did not take the message. `retry`: worth trying again later (a timeout, a
    5xx); False for a refusal that will not change (an invalid number, a bad credential)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


class Gateway:
    """Base class: subclasses implement `send`. `name` is stored on each message sent."""

    name = "base"

    def send(self, to: str, body: str) -> Sent:
        raise NotImplementedError
