"""The one way in: every source's report is validated, normalised, classified, merged into an
open incident or opens a new one, routed and dispatched (`service`). Requests that arrive one
at a time go through `grouped`, which batches those that arrive together.

    coords      datums (GCJ-02, BD-09) to WGS-84
    classify    the report's category
    similarity  Chinese-aware text similarity
    grid        the lat/lon cells every spatial look-up and lock uses
    candidates  the in-memory index of open incidents (the merge look-up)
    merge       the merge decision
    tracking    tracking numbers
    suggest     likely duplicates of a draft, stored nowhere (the operator console, as they type)
    attach      a report stored into the open incident an operator chose
"""

from command.intake.attach import attach
from command.intake.service import (
    Draft,
    IntakeResult,
    Location,
    ReportIn,
    announce_and_dispatch,
    open_incident,
    submit,
    submit_many,
)
from command.intake.suggest import DraftIn, Suggestion, Suggestions, suggest

__all__ = [
    "Draft",
    "DraftIn",
    "IntakeResult",
    "Location",
    "ReportIn",
    "Suggestion",
    "Suggestions",
    "announce_and_dispatch",
    "attach",
    "open_incident",
    "submit",
    "submit_many",
    "suggest",
]
