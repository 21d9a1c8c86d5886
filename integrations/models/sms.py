"""The SMS outbox: every outbound text is a row written in the transaction that decided to send
it, then sent by a task after the commit (`integrations.sms.outbox`); providers' delivery
reports are kept per (provider id, status).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已提交网关")
    DELIVERED = "delivered", _("已送达")
    UNDELIVERED = "undelivered", _("未送达")
    FAILED = "failed", _("发送失败")


# A message's status only ever moves up this order (a late "sent" report after "delivered" is
# kept as a report, never applied). The three final statuses share the top rank.
RANK = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.SENT: 2,
    SmsStatus.DELIVERED: 3,
    SmsStatus.UNDELIVERED: 3,
    SmsStatus.FAILED: 3,
}


class OutboundSms(models.Model):
    # Idempotency: one message per key ("receipt:<report id>", "reply:<MessageSid>", ...), so a
    # retried webhook or a repeated scan never texts a citizen twice.
    key = models.CharField(max_length=128, unique=True)
    purpose = models.CharField(_("purpose"), max_length=32)
    to = models.CharField(_("to"), max_length=32)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    gateway = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outbound SMS")
        verbose_name_plural = _("outbound SMS")
        indexes = [
            models.Index(fields=["provider_id"], name="outboundsms_provider"),
            models.Index(fields=["status", "next_attempt_at"], name="outboundsms_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk} ({self.status})"


class DeliveryStatus(models.Model):
    """One delivery report as the provider sent it; a repeat of the same report is kept once."""

    provider_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16)
    error_code = models.CharField(max_length=16, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id", "status"], name="deliverystatus_once_per_status"
            )
        ]
