"""The duty room's tables (值班室): shifts and who is on them, swaps, the duty log, handovers,
alerts to the leader on duty and their escalation chain, emerging events found by the surge
scan, and SMS waiting for the SMS backends.

Incidents are read here, never changed: duty changes them through command.lifecycle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ShiftKind(models.Model):
    """A shift pattern: 白班 08:00 for 12 h, 夜班 20:00 for 12 h, or any other."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=32)
    start = models.TimeField(_("starts at (local time)"))
    hours = models.PositiveSmallIntegerField(_("hours"))

    class Meta:
        verbose_name = _("shift kind")
        verbose_name_plural = _("shift kinds")
        ordering = ["start", "code"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """One shift on one date: its times (aware), the leader on duty (带班领导) and officers."""

    kind = models.ForeignKey(ShiftKind, on_delete=models.PROTECT, verbose_name=_("shift kind"))
    date = models.DateField(_("date"))  # the local date the shift starts on
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    leader = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officers = models.ManyToManyField(USER, blank=True, related_name="duty_shifts")
    # Set once by the scan when the shift ended without a handover received.
    handover_missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["date", "kind"], name="shift_date_kind")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_times")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind.name}"


class SwapRole(models.TextChoices):
    OFFICER = "officer", _("值班员")
    LEADER = "leader", _("带班领导")


class Swap(models.Model):
    """A change of who is on a shift (换班), kept after the roster changed."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swaps")
    role = models.CharField(max_length=16, choices=SwapRole.choices)
    replaced = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    replaced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]


class DutyContact(models.Model):
    """The phone a person on duty is reached at by SMS; shown masked, never logged."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="duty_contact")
    phone = models.CharField(_("phone"), max_length=32)

    class Meta:
        verbose_name = _("duty contact")
        verbose_name_plural = _("duty contacts")


class LogKind(models.TextChoices):
    NOTE = "note", _("值班记录")
    MAJOR_INCIDENT = "major_incident", _("重大事件")
    ALERT = "alert", _("告警")
    ESCALATION = "escalation", _("告警升级")
    ACKNOWLEDGED = "acknowledged", _("告警确认")
    OVERDUE = "overdue", _("超时")
    NOTICE = "notice", _("督办")
    EMERGING = "emerging", _("突发聚集")
    HANDOVER = "handover", _("交接班")
    SWAP = "swap", _("换班")


class LogEntry(models.Model):
    """The duty log (值班日志): officers' entries and the system's for major events."""

    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="log"
    )
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=24, choices=LogKind.choices)
    author = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="duty_log_entries"
    )
    text = models.TextField(_("text"))
    incident = models.ForeignKey(
        "command.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="duty_log_at")]


class Handover(models.Model):
    """The outgoing shift's written handover (交接班) and the incoming officer's receipt."""

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="handover")
    note = models.TextField(_("handover note"))
    written_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    # What the page listed as open and hot when the note was written (a snapshot).
    open_items = models.JSONField(default=dict)
    received_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)


class EscalationLevel(models.Model):
    """The escalation chain: level 0 is the leader on duty (no user); each level waits
    `minutes` for an acknowledgement before the alert goes on to the next."""

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    title = models.CharField(_("title"), max_length=64)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT)
    minutes = models.PositiveSmallIntegerField(_("minutes to acknowledge"), default=10)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation chain")
        ordering = ["position"]


class AlertSource(models.TextChoices):
    MAJOR_INCIDENT = "major_incident", _("重大事件")
    SUPERVISION = "supervision", _("督办告警")
    OVERDUE_URGENT = "overdue_urgent", _("紧急工单超时")
    EMERGING = "emerging", _("突发聚集")


class DutyAlert(models.Model):
    """What reaches the leader on duty: an alarm on the duty pages until acknowledged, and an
    SMS; unacknowledged by `escalate_at` it goes to the next level of the chain."""

    source = models.CharField(_("source"), max_length=24, choices=AlertSource.choices)
    # What raised it, once: "incident:42", "supervision:7", "emerging:3".
    source_key = models.CharField(max_length=64, unique=True)
    incident = models.ForeignKey(
        "command.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    emerging = models.ForeignKey(
        "duty.EmergingEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    raised_at = models.DateTimeField()
    level = models.PositiveSmallIntegerField(default=0)
    addressed_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The deadline for an acknowledgement at this level, scanned by duty.escalation.scan.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(
                fields=["escalate_at"],
                name="duty_alert_waiting",
                condition=models.Q(acknowledged_at__isnull=True),
            )
        ]


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    HANDED_OVER = "handed_over", _("已交短信网关")


class PendingSms(models.Model):
    """An SMS duty wants sent (duty.notify.send_sms): the one hand-off to the SMS backends."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=32)
    text = models.TextField()
    alert = models.ForeignKey(DutyAlert, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=SmsStatus.choices, default=SmsStatus.PENDING)


class EmergingStatus(models.TextChoices):
    OPEN = "open", _("待研判")
    CONVERTED = "converted", _("已转重大事件")
    DISMISSED = "dismissed", _("已排除")


class EmergingEvent(models.Model):
    """A surge found by duty.surge: many incidents of one category opened in one area within a
    window, well above the area's usual rate (`expected`)."""

    category = models.ForeignKey("command.Category", on_delete=models.PROTECT, related_name="+")
    area = models.CharField(max_length=48)  # "district:230102" or "cell:4571:9612"
    area_name = models.CharField(max_length=64)
    district = models.ForeignKey(
        "command.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    count = models.PositiveIntegerField()
    expected = models.FloatField()
    p_value = models.FloatField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    detected_at = models.DateTimeField()
    incident_ids = models.JSONField(default=list)  # the incidents counted, oldest first
    status = models.CharField(
        max_length=16, choices=EmergingStatus.choices, default=EmergingStatus.OPEN
    )
    incident = models.ForeignKey(
        "command.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at", "-id"]
