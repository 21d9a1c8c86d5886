"""Police business (公安业务) and the transfer to 110 (移交110), the core's side: which
categories the police handle (the setting CITYDESK["POLICE_CATEGORIES"], a child category
counting as its parent), where transfers go (the function CITYDESK_POLICE_TRANSFER_TARGET names:
the core never imports the adapters), and recording 110's answer through the lifecycle. The
wire formats are integrations.feeds'."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from command.errors import NotFound
from command.models import Category, Incident, IncidentStatus

# 110's answers to a transfer, as the lifecycle records them (integrations.feeds.transfer maps
# the feed's 反馈状态 onto these).
ACCEPTED = "accepted"  # 已受理
ATTENDED = "attended"  # 已出警
HANDLED = "handled"  # 已处置
NOT_POLICE = "not_police"  # 不属于公安职责: back to the dispatch queue
ANSWERS = (ACCEPTED, ATTENDED, HANDLED, NOT_POLICE)
TRANSFER = "transfer_to_police"  # the lifecycle's action


def police_categories() -> frozenset[str]:
    return frozenset(settings.CITYDESK["POLICE_CATEGORIES"])


def is_police_business(category: Category) -> bool:
    """Whether incidents of `category` (or of its parent) may be transferred to 110."""
    codes = police_categories()
    if category.code in codes:
        return True
    parent = category.parent
    return parent is not None and parent.code in codes


def closed_by_transfer(incident: Incident) -> bool:
    """Whether `incident` is closed because it went to 110 (移交110), not closed since by other
    means: what a citizen asking for its progress is told."""
    if incident.status != IncidentStatus.CLOSED:
        return False
    closing = incident.timeline.filter(to_status=IncidentStatus.CLOSED).exclude(
        from_status=IncidentStatus.CLOSED
    )
    return closing.order_by("-id").values_list("action", flat=True).first() == TRANSFER


def transfer_target() -> str | None:
    """The name of the 110 system transfers go to, or None when none is configured."""
    path = getattr(settings, "CITYDESK_POLICE_TRANSFER_TARGET", "")
    return import_string(path)() if path else None


def record_answer(
    tracking_no: str, answer: str, *, note: str, actor_label: str, data: dict
) -> Incident:
    """110's answer on the incident's timeline (`police_answer`, a system request). Raises
    NotFound for an unknown tracking number, IllegalTransition for an incident never
    transferred, InvalidRequest for an answer not in ANSWERS."""
    incident_id = (
        Incident.objects.filter(tracking_no=tracking_no).values_list("id", flat=True).first()
    )
    if incident_id is None:
        raise NotFound(f"No incident {tracking_no}.")
    from command import lifecycle  # lifecycle imports this module for its checks

    request = lifecycle.Request(
        "police_answer",
        note=note,
        system=True,
        actor_label=actor_label,
        data={**data, "answer": answer},
    )
    return lifecycle.apply(incident_id, request)
