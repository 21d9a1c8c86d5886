"""Alerts to the leader on duty (带班领导) and their escalation chain.

`raise_alert` is the one way an alert starts (major incidents, supervision alerts addressed to
the duty leader, overdue urgent tickets, emerging events): once per source key, an alarm on the
duty pages, an SMS (duty.notify), a duty log entry and, for an incident, its timeline
(command.lifecycle.alert_note). Unacknowledged by its `escalate_at`, `scan` moves it to the next
level of the chain (EscalationLevel). Deadlines live in the rows; the clock is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command import lifecycle
from command.models import Incident, Priority, Role
from command.roles import is_administrator, role_of
from duty import dutylog, notify, roster
from duty.errors import AlreadyAcknowledged, NotOnShift
from duty.models import AlertSource, DutyAlert, EmergingEvent, EscalationLevel, LogKind

DEFAULT_MINUTES = 10  # level 0 when the chain has no rows


@dataclass(frozen=True)
class Level:
    position: int
    title: str
    user: AbstractBaseUser | None  # None: the leader on duty at the time
    minutes: int


def chain() -> list[Level]:
    """The levels in order; the first is always the leader on duty (seeded as position 0; if
    that row was deleted, the default stands in for it)."""
    levels = [
        Level(lv.position, lv.title, lv.user, lv.minutes)
        for lv in EscalationLevel.objects.select_related("user").order_by("position")
    ]
    if not levels or levels[0].position != 0:
        levels.insert(0, Level(0, "带班领导", None, DEFAULT_MINUTES))
    return levels


def addressee(level: Level, now: datetime) -> AbstractBaseUser | None:
    return level.user if level.user is not None else roster.on_duty(now).leader


def raise_alert(
    source: str,
    source_key: str,
    reason: str,
    *,
    incident: Incident | None = None,
    emerging: EmergingEvent | None = None,
    now: datetime | None = None,
) -> tuple[DutyAlert, bool]:
    """Raise an alert to the first level of the chain, once per `source_key`; returns the alert
    and whether it was raised now. Call it for SupervisionAlert rows addressed to the duty
    leader with source=AlertSource.SUPERVISION and source_key=f"supervision:{alert.id}"."""
    if source not in AlertSource.values:
        raise ValueError(f"unknown alert source {source!r}")
    now = now or timezone.now()
    existing = DutyAlert.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    first = chain()[0]
    to = addressee(first, now)
    try:
        with transaction.atomic():
            alert = DutyAlert.objects.create(
                source=source,
                source_key=source_key,
                incident=incident,
                emerging=emerging,
                reason=reason,
                raised_at=now,
                level=0,
                addressed_to=to,
                escalate_at=now + timedelta(minutes=first.minutes),
            )
            _deliver(alert, first, to, now, LogKind.ALERT)
    except IntegrityError:  # raised meanwhile by another scan: that one stands
        return DutyAlert.objects.get(source_key=source_key), False
    return alert, True


# A supervision alert's kind (command.supervision, branch `dispatch`) -> the duty log's kind.
SUPERVISION_LOG = {
    "overdue": LogKind.OVERDUE,
    "warning": LogKind.OVERDUE,
    "not_signed": LogKind.OVERDUE,
    "notice_unanswered": LogKind.NOTICE,
}


def supervision_alert(
    alert_id: int, kind: str, incident: Incident, reason: str, now: datetime | None = None
) -> tuple[DutyAlert, bool]:
    """What the supervision scanner calls for an alert addressed to the duty leader: an overdue
    urgent or major ticket is its own source (紧急工单超时), any other supervision alert is
    `supervision`; either way once per supervision alert, with an entry in the duty log."""
    urgent = kind == "overdue" and incident.priority in (Priority.URGENT, Priority.MAJOR)
    source = AlertSource.OVERDUE_URGENT if urgent else AlertSource.SUPERVISION
    alert, created = raise_alert(
        source, f"supervision:{alert_id}", reason, incident=incident, now=now
    )
    if created:
        dutylog.record(
            SUPERVISION_LOG.get(kind, LogKind.NOTICE), reason, at=alert.raised_at, incident=incident
        )
    return alert, created


def acknowledge(
    alert_id: int, user: AbstractBaseUser, note: str = "", now: datetime | None = None
) -> DutyAlert:
    """`user` has seen the alert (确认): the alarm stops, escalation stops, and the time goes on
    the incident's timeline and in the duty log. The person it is addressed to, any leader on
    duty or an administrator may acknowledge; a second acknowledgement is refused (409)."""
    now = now or timezone.now()
    alert = DutyAlert.objects.select_related("incident").get(pk=alert_id)
    if not may_acknowledge(user, alert):
        raise NotOnShift(_("只有带班领导或告警对象可以确认告警。"))
    with transaction.atomic():
        done = DutyAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user, escalate_at=None
        )
        if not done:
            raise AlreadyAcknowledged(_("该告警已被确认。"))
        alert.refresh_from_db()
        waited = int((now - alert.raised_at).total_seconds())
        if alert.incident_id:
            lifecycle.alert_note(
                alert.incident_id,
                lifecycle.Request(
                    "acknowledge",
                    actor=user,
                    note=note,
                    data={"alert": alert.pk, "level": alert.level, "seconds": waited},
                ),
                now=now,
            )
        dutylog.record(
            LogKind.ACKNOWLEDGED,
            f"{user.get_username()} 确认告警（{waited // 60} 分钟后，第 {alert.level} 级）："
            f"{alert.reason}",
            at=now,
            author=user,
            incident=alert.incident,
        )
    return alert


def may_acknowledge(user: AbstractBaseUser, alert: DutyAlert) -> bool:
    if alert.addressed_to_id is not None and alert.addressed_to_id == user.pk:
        return True
    return role_of(user) == Role.DUTY_LEADER or is_administrator(user)


def scan(now: datetime) -> int:
    """Move every alert unacknowledged past its `escalate_at` to the next level; returns how many
    moved. An alert at the chain's last level stays there, on the pages, without a deadline."""
    levels = chain()
    moved = 0
    due = DutyAlert.objects.filter(acknowledged_at__isnull=True, escalate_at__lte=now)
    for alert in due.select_related("incident").order_by("escalate_at", "id"):
        nxt = alert.level + 1
        if nxt >= len(levels):
            DutyAlert.objects.filter(pk=alert.pk, level=alert.level).update(escalate_at=None)
            continue
        level = levels[nxt]
        to = addressee(level, now)
        with transaction.atomic():
            # Compare-and-set: a scan racing this one, or an acknowledgement, wins once.
            changed = DutyAlert.objects.filter(
                pk=alert.pk, level=alert.level, acknowledged_at__isnull=True
            ).update(
                level=nxt,
                addressed_to=to,
                escalated_at=now,
                escalate_at=now + timedelta(minutes=level.minutes),
            )
            if not changed:
                continue
            alert.level, alert.addressed_to = nxt, to
            _deliver(alert, level, to, now, LogKind.ESCALATION)
        moved += 1
    return moved


def waiting() -> list[DutyAlert]:
    """Alerts not yet acknowledged, oldest first: the alarm on the duty pages."""
    return list(
        DutyAlert.objects.filter(acknowledged_at__isnull=True)
        .select_related("incident", "addressed_to", "emerging")
        .order_by("raised_at", "id")
    )


def _deliver(alert: DutyAlert, level: Level, to: AbstractBaseUser | None, now, kind) -> None:
    who = to.get_username() if to else "（无人在岗）"
    verb = "告警" if kind == LogKind.ALERT else f"升级至第 {level.position} 级（{level.title}）"
    text = f"{verb} → {who}：{alert.reason}"
    if to is not None:
        notify.send_sms(to, f"【CityDesk值班】{alert.reason}", alert=alert, now=now)
    dutylog.record(kind, text, at=now, incident=alert.incident)
    if alert.incident_id:
        lifecycle.alert_note(
            alert.incident_id,
            lifecycle.Request(
                "alert_leader",
                system=True,
                actor_label="duty",
                note=text,
                data={"alert": alert.pk, "level": alert.level, "to": to.pk if to else None},
            ),
            now=now,
        )
