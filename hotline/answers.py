"""What the console's JSON endpoints answer: incidents, duplicates, history and calls as plain
dicts. Citizens' numbers and the personal data in texts are masked here (command.privacy): the
only places a number shows in full are the call form and the operator's ticket view.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from command import intake
from command.models import Incident, IncidentStatus, Report
from command.privacy import mask_phone, mask_text


def incident(found: Incident) -> dict[str, Any]:
    return {
        "tracking_no": found.tracking_no,
        "status": found.status,
        "status_label": str(IncidentStatus(found.status).label),
        "category": {"code": found.category.code, "name": found.category.name},
        "summary": mask_text(found.summary)[:200],
        "address": mask_text(found.address),
        "district": found.district.name if found.district_id else None,
        "location": None if found.lat is None else {"lat": found.lat, "lon": found.lon},
        "opened_at": timezone.localtime(found.opened_at).isoformat(),
        "url": reverse("hotline:ticket", args=[found.tracking_no]),
    }


def suggestions(found: intake.Suggestions) -> dict[str, Any]:
    category = found.category.category
    return {
        "category": {"code": category.code, "name": category.name, "how": found.category.how},
        "duplicates": [
            {
                **incident(s.incident),
                "score": round(s.score, 3),
                "text_similarity": round(s.text_similarity, 3),
                "distance_m": round(s.distance_m),
                "age_minutes": round(s.age_minutes),
                "would_merge": s.would_merge,
            }
            for s in found.duplicates
        ],
    }


def report(stored: Report) -> dict[str, Any]:
    """A caller's earlier report, or one of the operator's calls."""
    return {
        "received_at": timezone.localtime(stored.received_at).isoformat(),
        "source": stored.source.code,
        "text": mask_text(stored.text)[:200],
        "phone": mask_phone(stored.reporter_phone) if stored.reporter_phone else "",
        "incident": incident(stored.incident),
    }


def logged(result: intake.IntakeResult) -> dict[str, Any]:
    """A saved call: the tracking number to read out, and what became of the call."""
    return {
        "tracking_no": result.incident.tracking_no,
        "created": result.created,
        "merged": result.merged,
        "incident": incident(result.incident),
    }
