"""What fired alerts are for: the SMS hand-off to the unit's contact, the desks' list, and
acknowledging. Alert rows are written by command.lifecycle (the scanner's marks) only.

The SMS hand-off is one place: `sms_pending()` lists what to send, `mark_sms_sent()` records
that it went; command.supervision.alert_sms calls both and queues the text in the SMS outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import AlertAddressee, AlertKind, SupervisionAlert


@dataclass(frozen=True)
class SmsToSend:
    """One alert's text message to a unit's contact (the phone is never logged)."""

    alert_id: int
    phone: str
    text: str


def sms_pending(limit: int = 100) -> list[SmsToSend]:
    """Alerts addressed to a unit whose text message has not been sent yet, oldest first."""
    rows = (
        SupervisionAlert.objects.filter(sms_pending=True)
        .select_related("incident", "assignment__unit")
        .order_by("id")[:limit]
    )
    return [SmsToSend(a.id, a.assignment.unit.contact_phone, sms_text(a)) for a in rows]


def mark_sms_sent(alert_id: int, at: datetime) -> bool:
    """Record that the alert's message went out; False if it was already recorded (another
    sender got there first: compare-and-set, so a message is recorded sent once)."""
    updated = SupervisionAlert.objects.filter(pk=alert_id, sms_pending=True).update(
        sms_pending=False, sms_sent_at=at
    )
    return updated == 1


def drop_sms(alert_id: int) -> bool:
    """No text for this alert after all (its unit's contact phone is gone): off the pending
    list, with no sent time. False if it was not pending."""
    return (
        SupervisionAlert.objects.filter(pk=alert_id, sms_pending=True).update(sms_pending=False)
        == 1
    )


def sms_text(alert: SupervisionAlert) -> str:
    """The message, in Chinese (a unit's contact reads Chinese): tracking number, what, when."""
    due = timezone.localtime(alert.due_at).strftime("%m-%d %H:%M")
    what = {
        AlertKind.WARNING: _("工单%(no)s办理时限将至（%(due)s），请抓紧办理。"),
        AlertKind.OVERDUE: _("工单%(no)s已超过办理时限（%(due)s），请立即办理并反馈。"),
        AlertKind.NOT_SIGNED: _("工单%(no)s未在签收时限（%(due)s）内签收，请立即签收。"),
        AlertKind.NOTICE_UNANSWERED: _("督办单（工单%(no)s）未在%(due)s前回复，请立即回复。"),
    }[AlertKind(alert.kind)]
    return "【12345督办】" + what % {"no": alert.incident.tracking_no, "due": due}


def acknowledge(alert_id: int, user: AbstractBaseUser, at: datetime) -> bool:
    """Duty staff have seen the alert; False if someone had already acknowledged it."""
    updated = SupervisionAlert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
        acknowledged_at=at, acknowledged_by=user
    )
    return updated == 1


def for_duty_room(limit: int = 50) -> QuerySet[SupervisionAlert]:
    """Alerts not yet acknowledged, newest first: the duty room's and the desks' list. Those
    addressed to the leader on duty (urgent and major tickets overdue) come first."""
    return (
        SupervisionAlert.objects.filter(acknowledged_at__isnull=True)
        .select_related("incident", "assignment__unit")
        .order_by(_leader_first(), "-fired_at", "-id")[:limit]
    )


def _leader_first():
    from django.db.models import Case, IntegerField, Value, When

    return Case(
        When(addressed_to=AlertAddressee.DUTY_LEADER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
