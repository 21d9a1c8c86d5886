"""A caller's history: the earlier reports from the same phone number, whatever their source,
with the state of the incident each one is in. Shown as soon as the operator enters the number.
"""

from __future__ import annotations

from command.intake.service import normalise_phone
from command.models import Report
from hotline import phones

MAX_HISTORY = 20


def caller_history(phone: str, limit: int = MAX_HISTORY) -> list[Report]:
    """Reports from `phone` (as intake stores numbers: spaces, dashes and brackets dropped;
    a mobile however its country code was written, as the screen pop fills in +86…), newest
    first; nothing for a number too short to be one."""
    number = normalise_phone(phone)
    if len(number) < 5:
        return []
    return list(
        Report.objects.select_related("source", "incident__category", "incident__district")
        .filter(reporter_phone__in=phones.variants(number))
        .order_by("-received_at", "-id")[:limit]
    )
