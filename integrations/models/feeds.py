"""The systems that feed us (110, 12319) and that we answer: one row per system, with its own
credentials, where its status-backs and transfers go, and its poller's cursor."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedSystemKind(models.TextChoices):
    """The format a system speaks (integrations.feeds' docstring); the URL names it."""

    POLICE_110 = "110", _("110接处警平台")
    URBAN_12319 = "12319", _("12319数字城管")


class FeedSystem(models.Model):
    code = models.SlugField(_("system code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("format"), max_length=8, choices=FeedSystemKind.choices)
    # The intake source its records become (command's Source code: "110" or "12319").
    source_code = models.CharField(_("intake source"), max_length=32)
    # Shared HMAC secret, both ways. Kept as it is: checking a signature needs it (a hash would
    # not do). Shown once when made (manage.py / admin), never listed.
    secret = models.CharField(_("shared secret"), max_length=128)
    callback_url = models.URLField(_("status callback URL"), blank=True)
    transfer_url = models.URLField(_("transfer URL"), blank=True)
    pull_url = models.URLField(_("list API URL (pull mode)"), blank=True)
    pull_interval_s = models.PositiveIntegerField(_("poll interval (s)"), default=60)
    pull_cursor = models.CharField(_("poll cursor"), max_length=128, blank=True)
    last_pulled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    # The last poll's failure (connection refused, an HTTP status, a bad answer), never a
    # record's content; empty once a poll succeeds.
    last_error = models.CharField(_("last poll error"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Pushes a minute (requests, whatever their records: a batch is one answer to wait for);
    # empty for CITYDESK["FEED_RATE_LIMIT"]. Counted across processes in services mode.
    rate_limit = models.PositiveIntegerField(
        _("rate limit (requests a minute)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for the default."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed system")
        verbose_name_plural = _("feed systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FeedRequest(models.Model):
    """One request to a feed endpoint (integrations.feeds.push_log): which system, how it ended,
    how many records it held and took. Never the body, a header's value beyond the system code,
    or anything a citizen said; pruned after CITYDESK["API_LOG_RETENTION_DAYS"]."""

    # Empty when the request named no known system: then `claimed` keeps what it named.
    system = models.ForeignKey(
        FeedSystem, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("system")
    )
    claimed = models.CharField(_("system header"), max_length=32, blank=True)
    at = models.DateTimeField(_("time"))
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.FloatField(_("duration (ms)"))
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    records = models.PositiveIntegerField(_("records"), null=True, blank=True)
    taken = models.PositiveIntegerField(_("taken"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)

    class Meta:
        verbose_name = _("feed request")
        verbose_name_plural = _("feed requests")
        indexes = [
            models.Index(fields=["system", "-at"], name="feedrequest_system_at"),
            models.Index(fields=["at"], name="feedrequest_at"),  # the prune, the date filter
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class FeedNonce(models.Model):
    """A request's nonce, seen once: the unique row refuses a replay inside the window."""

    system = models.ForeignKey(FeedSystem, on_delete=models.CASCADE)
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "nonce"], name="feednonce_once")]
        indexes = [models.Index(fields=["seen_at"], name="feednonce_seen")]


class DeadLetterStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    REPLAYED = "replayed", _("已重放")
    DISCARDED = "discarded", _("已放弃")


class FeedDeadLetter(models.Model):
    """A record a feed sent that could not be taken (死信), kept as it came so an administrator
    can correct it and replay it through the same adapter and intake (integrations.feeds)."""

    system = models.ForeignKey(FeedSystem, on_delete=models.PROTECT, verbose_name=_("system"))
    # JSON text rather than a JSON column: a record may hold what PostgreSQL's jsonb refuses
    # (NUL characters, lone surrogates, NaN), and it must be kept all the same.
    record = models.TextField(_("record (JSON)"))
    # sha256 of the record as received: a sender's retry of the same bad record is counted on
    # its pending dead letter rather than kept twice.
    digest = models.CharField(max_length=64, editable=False)
    error = models.TextField(_("error"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeadLetterStatus.choices,
        default=DeadLetterStatus.PENDING,
    )
    times_received = models.PositiveIntegerField(_("times received"), default=1)
    received_at = models.DateTimeField(_("received at"))
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)
    replay_result = models.TextField(_("replay result"), blank=True)

    class Meta:
        verbose_name = _("feed dead letter")
        verbose_name_plural = _("feed dead letters")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["system", "digest"], name="feeddeadletter_digest"),
            models.Index(fields=["status", "received_at"], name="feeddeadletter_status"),
        ]

    def __str__(self) -> str:
        return f"{self.system.code} #{self.pk} ({self.status})"


class DeliveryKind(models.TextChoices):
    STATUS = "status", _("状态反馈")
    TRANSFER = "transfer", _("移交110")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")


class FeedDelivery(models.Model):
    """One POST to a feed system (integrations.feeds.delivery): a status-back to its
    callback_url about one of its records, or a transfer to 110's transfer_url. Written by the
    scan of the outbox (integrations.feeds.status_back), once per (system, seq, record)."""

    system = models.ForeignKey(
        FeedSystem, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("system")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DeliveryKind.choices)
    tracking_no = models.CharField(_("tracking number"), max_length=20)
    record_id = models.CharField(_("their record id"), max_length=128, blank=True)
    seq = models.BigIntegerField(_("outbox seq"))
    body = models.JSONField(_("body"))
    state = models.CharField(
        _("state"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed delivery")
        verbose_name_plural = _("feed deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "seq", "record_id"], name="feeddelivery_once")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="feeddelivery_waiting"),
            models.Index(fields=["system", "tracking_no", "seq"], name="feeddelivery_order"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tracking_no} → {self.system.code} #{self.seq}"


class FeedCursor(models.Model):
    """How far the status-back scan has read the outbox (seq): one row."""

    last_seq = models.BigIntegerField(default=0)
