"""The hotline's own tables: citizens' texts as received (each once, by MessageSid), calls as
they ring, satisfaction surveys after a resolution, and the numbers refused."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from command.models import Incident, Report


class MessageKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    QUERY = "query", _("查询")
    SATISFACTION = "satisfaction", _("满意度回复")
    HELP = "help", _("帮助")


class Hold(models.TextChoices):
    """Why a complaint was kept without going to intake: stored and flagged, never lost; an
    operator releases it (`hotline.conversation.release`)."""

    NONE = "", _("无")
    RATE_LIMITED = "rate_limited", _("超出频次限制")
    BLOCKED = "blocked", _("号码已屏蔽")
    INVALID = "invalid", _("无法受理")


class InboundMessage(models.Model):
    message_sid = models.CharField(max_length=64, unique=True)
    sender = models.CharField(_("sender"), max_length=32, db_index=True)
    body = models.TextField(_("body"))
    received_at = models.DateTimeField(_("received at"))
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    hold = models.CharField(_("held"), max_length=16, choices=Hold.choices, blank=True)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.PROTECT)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("citizen SMS")
        verbose_name_plural = _("citizen SMS")
        indexes = [
            models.Index(fields=["sender", "kind", "received_at"], name="inbound_sender_kind"),
        ]


class BlockedNumber(models.Model):
    phone = models.CharField(_("phone"), max_length=32, unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocked number")
        verbose_name_plural = _("blocked numbers")

    def __str__(self) -> str:
        return self.reason or str(self.pk)  # never the number: admin lists and logs show this


class Call(models.Model):
    call_sid = models.CharField(max_length=64, unique=True)
    caller = models.CharField(_("caller"), max_length=32)
    started_at = models.DateTimeField(_("started at"))
    status = models.CharField(_("status"), max_length=16)
    updated_at = models.DateTimeField(auto_now=True)


class Answer(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    MOSTLY = "mostly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class SatisfactionSurvey(models.Model):
    """One question to one reporter about one resolution (its timeline entry)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT)
    resolution = models.BigIntegerField()  # the `resolve` timeline entry's id
    phone = models.CharField(max_length=32)
    asked_at = models.DateTimeField()
    answer = models.CharField(max_length=16, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    reopened = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resolution", "phone"], name="survey_once_per_phone")
        ]
        indexes = [models.Index(fields=["phone", "asked_at"], name="survey_phone_asked")]


class SurveyCursor(models.Model):
    """How far the survey has read the outbox (seq): one row."""

    last_seq = models.BigIntegerField(default=0)
