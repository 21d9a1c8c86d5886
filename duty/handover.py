"""Handover (交接班): the outgoing officer writes a note; what is still open and hot is listed by
itself (major incidents, overdue tickets, unacknowledged alerts, open emerging events); an
officer of the next shift confirms receipt. A shift that ends without a received handover is
flagged by the scan (`flag_missed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import OPEN_STATUSES, Incident, Priority
from command.roles import is_administrator
from duty import dutylog, escalation, roster
from duty.errors import HandoverState, NotOnShift
from duty.models import EmergingEvent, EmergingStatus, Handover, LogKind, Shift

MAX_LISTED = 50


@dataclass(frozen=True)
class Hot:
    """What is open and hot at a moment, for the handover page and its snapshot."""

    major: list[Incident]
    overdue: list[Incident]
    alerts: list
    emerging: list[EmergingEvent]

    def snapshot(self) -> dict:
        return {
            "major": [i.tracking_no for i in self.major],
            "overdue": [i.tracking_no for i in self.overdue],
            "alerts": [a.pk for a in self.alerts],
            "emerging": [e.pk for e in self.emerging],
        }


def hot(now: datetime) -> Hot:
    open_ = Incident.objects.filter(status__in=OPEN_STATUSES).select_related(
        "category", "district", "unit"
    )
    return Hot(
        major=list(open_.filter(priority=Priority.MAJOR).order_by("opened_at")[:MAX_LISTED]),
        overdue=list(open_.filter(deadline__lt=now).order_by("deadline")[:MAX_LISTED]),
        alerts=escalation.waiting()[:MAX_LISTED],
        emerging=list(
            EmergingEvent.objects.filter(status=EmergingStatus.OPEN).select_related("category")[
                :MAX_LISTED
            ]
        ),
    )


def on_shift(user: AbstractBaseUser, shift: Shift) -> bool:
    return shift.leader_id == user.pk or shift.officers.filter(pk=user.pk).exists()


def write(shift: Shift, user: AbstractBaseUser, note: str, now: datetime | None = None) -> Handover:
    """The outgoing shift's note, with a snapshot of what was open and hot."""
    now = now or timezone.now()
    if not note.strip():
        raise HandoverState(_("请填写交班记录。"), {"note": [_("请填写交班记录。")]})
    if not (on_shift(user, shift) or is_administrator(user)):
        raise NotOnShift(_("只有本班次的值班人员可以交班。"))
    try:
        with transaction.atomic():
            handover = Handover.objects.create(
                shift=shift,
                note=note.strip(),
                written_by=user,
                written_at=now,
                open_items=hot(now).snapshot(),
            )
            dutylog.record(
                LogKind.HANDOVER,
                f"{user.get_username()} 交班（{shift}）：{note.strip()}",
                at=now,
                author=user,
                shift=shift,
            )
    except IntegrityError:
        raise HandoverState(_("该班次已交班。")) from None
    return handover


def receive(shift: Shift, user: AbstractBaseUser, now: datetime | None = None) -> Handover:
    """An officer of the next shift confirms receipt (接班)."""
    now = now or timezone.now()
    handover = Handover.objects.filter(shift=shift).first()
    if handover is None:
        raise HandoverState(_("该班次尚未交班。"))
    following = roster.next_shift(shift)
    if not ((following and on_shift(user, following)) or is_administrator(user)):
        raise NotOnShift(_("只有下一班次的值班人员可以接班。"))
    with transaction.atomic():
        done = Handover.objects.filter(pk=handover.pk, received_at__isnull=True).update(
            received_by=user, received_at=now
        )
        if not done:
            raise HandoverState(_("该交班已被接收。"))
        dutylog.record(
            LogKind.HANDOVER,
            f"{user.get_username()} 接班，确认收到 {shift} 的交班记录",
            at=now,
            author=user,
            shift=following,
        )
    handover.refresh_from_db()
    return handover


def flag_missed(now: datetime) -> list[Shift]:
    """Shifts that ended without a handover received: flagged once each, with a log entry."""
    missed = list(
        Shift.objects.filter(ends_at__lte=now, handover_missed_at__isnull=True)
        .exclude(handover__received_at__isnull=False)
        .select_related("kind")
    )
    flagged = []
    for shift in missed:
        if Shift.objects.filter(pk=shift.pk, handover_missed_at__isnull=True).update(
            handover_missed_at=now
        ):
            flagged.append(shift)
            dutylog.record(LogKind.HANDOVER, f"{shift} 结束时未完成交接班", at=now, shift=shift)
    return flagged
