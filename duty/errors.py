"""The duty room's domain errors; the pages show their message, the API answers their status."""

from __future__ import annotations

from command.errors import CommandError


class InvalidRoster(CommandError):
    """A roster row, form or file that cannot be taken (the message names the row and why)."""

    code = "invalid_roster"


class NotOnShift(CommandError):
    """The action needs someone on the shift concerned (writing its handover, receiving it)."""

    status = 403
    code = "not_on_shift"


class HandoverState(CommandError):
    """The handover is not in the state the action needs (already written, already received)."""

    status = 409
    code = "handover_state"


class AlreadyAcknowledged(CommandError):
    status = 409
    code = "already_acknowledged"


class EmergingClosed(CommandError):
    """The emerging event has already been converted or dismissed."""

    status = 409
    code = "emerging_closed"
