"""Domain errors, named for what went wrong; the API maps each to a 4xx answer."""

from __future__ import annotations


class CommandError(Exception):
    """Base of the domain errors. `status` is the HTTP status the edges answer with."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidReport(CommandError):
    """A report's fields are missing or wrong; `fields` names each."""

    code = "invalid_report"


class UnknownAction(CommandError):
    code = "unknown_action"


class NoteRequired(CommandError):
    """The action needs a reason (a return, a rejection, a reopening...)."""

    code = "note_required"


class UnknownUnit(CommandError):
    code = "unknown_unit"


class DeadlineNotLater(CommandError):
    code = "deadline_not_later"


class Conflict(CommandError):
    """The incident is not in a state that allows the change (someone else acted first)."""

    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class StaleUpdate(Conflict):
    code = "stale_update"


class NotAllowed(CommandError):
    status = 403
    code = "forbidden"


class NotFound(CommandError):
    status = 404
    code = "not_found"
