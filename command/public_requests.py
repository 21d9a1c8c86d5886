"""The public's view of the city's reports (Open311 and any other public read-out): the service
catalogue (our categories) and each report as a public request, with its incident's state and
never its reporter's personal data. Plain values out; the adapters render them.

A public request is one Report (one citizen's report, whatever its source): its state is its
incident's, and a report that is not the first of its incident is a duplicate of that first one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Min, Q, QuerySet
from django.db.models.fields.json import KT

from command.models import OPEN_STATUSES, Category, IncidentStatus, Report
from command.privacy import mask_text

OPEN, CLOSED = "open", "closed"
# Keys of a report's payload a source may fill for the public to see (a photo's address, the
# source's own id of the place); everything else in a payload stays inside.
PUBLIC_PAYLOAD_KEYS = ("media_url", "address_id")


@dataclass(frozen=True)
class Service:
    """A category as the public sees it."""

    code: str
    name: str
    name_en: str
    group_code: str  # the parent category's code, or its own for a top-level category
    keywords: tuple[str, ...]
    sla_routine: str  # "7wd", "24h", "3d": command.routing.sla


@dataclass(frozen=True)
class PublicRequest:
    id: int
    status: str  # OPEN or CLOSED
    state: str  # the incident's own state (IncidentStatus value)
    state_label: str  # its label in the active language
    duplicate_of: int | None  # the first report of the incident, if this one is not it
    tracking_no: str
    service_code: str
    service_name: str
    service_name_en: str
    description: str  # the report's text, phone, ID-card and e-mail masked
    agency: str  # the unit handling it, or ""
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime | None
    address: str
    lat: float | None
    lon: float | None
    media_url: str
    address_id: str


def services() -> list[Service]:
    """Every category, ordered by code."""
    return [_service(c) for c in Category.objects.select_related("parent").order_by("code")]


def service(code: str) -> Service | None:
    found = Category.objects.select_related("parent").filter(code=code).first()
    return _service(found) if found else None


def get(request_id: int) -> PublicRequest | None:
    found = find([request_id])
    return found[0] if found else None


def find(ids: Collection[int], limit: int = 1000) -> list[PublicRequest]:
    """The requests with these ids that exist, newest first."""
    return _page(Report.objects.filter(id__in=list(ids)[:limit]), limit)


def search(
    *,
    start: datetime,
    end: datetime,
    service_codes: Collection[str] = (),
    statuses: Collection[str] = (),
    limit: int = 1000,
) -> list[PublicRequest]:
    """Requests received in [start, end], newest first, at most `limit`; of these services
    (their incident's category) and statuses (OPEN, CLOSED) if given."""
    rows = Report.objects.filter(received_at__gte=start, received_at__lte=end)
    if service_codes:
        rows = rows.filter(incident__category__code__in=list(service_codes))
    if statuses and set(statuses) != {OPEN, CLOSED}:
        is_open = Q(incident__status__in=OPEN_STATUSES)
        rows = rows.filter(is_open if OPEN in statuses else ~is_open)
    return _page(rows, limit)


# Only what the public may see is read: no reporter field leaves the database here. Plain rows
# (values()), not models: building four model instances per row was most of a 1000-row page.
FIELDS = {
    "id": "id",
    "text": "text",
    "received_at": "received_at",
    "lat": "lat",
    "lon": "lon",
    "address": "address",
    "incident_id": "incident_id",
    "tracking_no": "incident__tracking_no",
    "status": "incident__status",
    "incident_address": "incident__address",
    "deadline": "incident__deadline",
    "updated_at": "incident__updated_at",
    "resolved_at": "incident__resolved_at",
    "closed_at": "incident__closed_at",
    "code": "incident__category__code",
    "name": "incident__category__name",
    "name_en": "incident__category__name_en",
    "agency": "incident__unit__name",
}


def _page(rows: QuerySet[Report], limit: int) -> list[PublicRequest]:
    public = {f"public_{key}": KT(f"payload__{key}") for key in PUBLIC_PAYLOAD_KEYS}
    named = {name: F(path) for name, path in FIELDS.items() if name != path}
    found = list(
        rows.order_by("-received_at", "-id")
        .annotate(**public)
        .values(*(n for n, p in FIELDS.items() if n == p), *public, **named)[:limit]
    )
    firsts = _first_reports({row["incident_id"] for row in found})
    labels = {state: str(state.label) for state in IncidentStatus}  # once, not once a row
    return [_public(row, firsts[row["incident_id"]], labels) for row in found]


def _first_reports(incident_ids: set[int]) -> dict[int, int]:
    """Each incident's first report: the request the others duplicate."""
    rows = (
        Report.objects.filter(incident_id__in=incident_ids)
        .values("incident_id")
        .annotate(first=Min("id"))
        .values_list("incident_id", "first")
    )
    return dict(rows)


def _public(row: dict, first_id: int, labels: dict[IncidentStatus, str]) -> PublicRequest:
    state = IncidentStatus(row["status"])
    status = OPEN if state in OPEN_STATUSES else CLOSED
    updated = row["updated_at"]
    if status == CLOSED:
        updated = row["closed_at"] or row["resolved_at"] or updated
    return PublicRequest(
        id=row["id"],
        status=status,
        state=state.value,
        state_label=labels[state],
        duplicate_of=None if first_id == row["id"] else first_id,
        tracking_no=row["tracking_no"],
        service_code=row["code"],
        service_name=row["name"],
        service_name_en=row["name_en"],
        description=mask_text(row["text"]),
        agency=row["agency"] or "",
        requested_at=row["received_at"],
        updated_at=updated,
        expected_at=row["deadline"],
        address=row["address"] or row["incident_address"],
        lat=row["lat"],
        lon=row["lon"],
        media_url=_text(row["public_media_url"]),
        address_id=_text(row["public_address_id"]),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _service(category: Category) -> Service:
    return Service(
        code=category.code,
        name=category.name,
        name_en=category.name_en,
        group_code=category.parent.code if category.parent else category.code,
        keywords=tuple(str(k) for k in category.keywords or ()),
        sla_routine=category.sla_routine,
    )
