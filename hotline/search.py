"""The console's search: one box for a tracking number (or its start), a phone number (or its
last digits) or words of the complaint. Newest incidents first.
"""

from __future__ import annotations

import re

from django.db.models import Q

from command.intake.service import normalise_phone
from command.models import Incident

MAX_RESULTS = 20
MAX_QUERY = 100
TRACKING_RE = re.compile(r"^\d{8}-\d{0,6}$")
DIGITS_RE = re.compile(r"^\+?\d{4,20}$")


def search(query: str, limit: int = MAX_RESULTS) -> list[Incident]:
    """Incidents whose tracking number starts with `query`, whose reports came from a number
    ending in it, or whose summary or reports' text contain it."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    if TRACKING_RE.match(query):
        found = Q(tracking_no__startswith=query)
    elif DIGITS_RE.match(normalise_phone(query)):
        digits = normalise_phone(query)
        # 20261205 is the start of a day's tracking numbers as well as digits of a phone.
        found = Q(tracking_no__startswith=digits) | Q(reports__reporter_phone__endswith=digits)
    else:
        found = Q(summary__icontains=query) | Q(reports__text__icontains=query)
        found |= Q(address__icontains=query)
    # A report's match joins its incident once per report: the ids once each, then the rows.
    matching = Incident.objects.filter(found).values("id")
    return list(
        Incident.objects.select_related("category", "district")
        .filter(id__in=matching)
        .order_by("-opened_at", "-id")[:limit]
    )
