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
    """A report intake cannot take (its fields name what is wrong)."""

    code = "invalid_report"


class ReplayConflict(InvalidReport):
    """A (source, external id) taken before comes again with other content: nothing is changed,
    and the sender is told what differs (a replay must repeat, not amend)."""

    status = 409
    code = "replay_conflict"


class InvalidRequest(CommandError):
    """A request to change an incident that is incomplete or wrong, whatever its state."""

    code = "invalid_request"


class UnknownAction(InvalidRequest):
    code = "unknown_action"


class NoteRequired(InvalidRequest):
    """The action needs a reason (a return, a resolution, a reopening...)."""

    code = "note_required"


class UnknownUnit(InvalidRequest):
    """Dispatch to a unit that does not exist or is inactive."""

    code = "unknown_unit"


class ExtensionNotLater(InvalidRequest):
    """An extension must move the deadline later."""

    code = "extension_not_later"


class DeadlineNotLater(InvalidRequest):
    """A deadline or reply-by time set by hand must lie in the future."""

    code = "deadline_not_later"


class Conflict(CommandError):
    """The incident is not in a state that allows the change (someone else acted first)."""

    status = 409
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class StaleUpdate(Conflict):
    code = "stale_update"


class AlreadyFired(Conflict):
    """A supervision alert that has fired before (another scanner, an earlier pass)."""

    code = "already_fired"


class AlreadyAnswered(Conflict):
    """110 sent the same answer to the same transfer again: recorded once."""

    code = "already_answered"


class NotAllowed(CommandError):
    status = 403
    code = "forbidden"


class NotFound(CommandError):
    status = 404
    code = "not_found"


class InvalidPhoto(InvalidRequest):
    """An upload that is not a PNG or JPEG image, whatever its name says."""

    code = "invalid_photo"


class TooLarge(CommandError):
    """A body or a file over its limit (a site photo, a console's request)."""

    status = 413
    code = "too_large"


class HandedBack(Conflict):
    """The ticket left the unit (handed back, or dispatched elsewhere) while a page showed it."""

    code = "handed_back"


class NotPoliceBusiness(Conflict):
    """A transfer to 110 of an incident whose category is not police business (移交110)."""

    code = "not_police_business"


class NoTransferTarget(Conflict):
    """A transfer to 110 while no 110 system with a transfer address is configured."""

    code = "no_transfer_target"
