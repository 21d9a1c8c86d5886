"""The feed systems in the admin: an administrator registers a system and reads its secret once,
when it is made; afterwards only its first characters are shown. A poll's last failure is shown
on the system; records that could not be taken wait as dead letters, to correct and replay. Their
deliveries (status-backs and transfers) are read here, failures first to hand, and re-queued
with "retry now"."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from command.admin import MatrixAdmin, StatusClassFilter
from integrations.feeds import dead_letters, delivery, signing
from integrations.models import (
    DeliveryState,
    FeedDeadLetter,
    FeedDelivery,
    FeedRequest,
    FeedSystem,
)


@admin.register(FeedSystem)
class FeedSystemAdmin(MatrixAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "source_code",
        "active",
        "rate_limit",
        "secret_hint",
        "pull_url",
        "last_pulled_at",
        "last_error",
    ]
    list_filter = ["kind", "active"]
    exclude = ["secret"]
    readonly_fields = ["secret_hint", "pull_cursor", "last_pulled_at", "last_error"]

    @admin.display(description=_("shared secret"))
    def secret_hint(self, obj: FeedSystem) -> str:
        return f"{obj.secret[:4]}…" if obj.secret else ""

    def save_model(self, request, obj: FeedSystem, form, change: bool) -> None:
        fresh = not obj.secret
        if fresh:
            obj.secret = signing.new_secret()
        super().save_model(request, obj, form, change)
        if fresh:
            messages.warning(
                request,
                _("Shared secret of %(code)s, shown this once: %(secret)s")
                % {"code": obj.code, "secret": obj.secret},
            )


@admin.register(FeedRequest)
class FeedRequestAdmin(MatrixAdmin):
    """The feed systems' requests, read-only (the matrix gives view only): never a body. A row
    without a system is a request whose header named none we know ("system header" says what
    it named)."""

    list_display = [
        "at",
        "system",
        "claimed",
        "method",
        "path",
        "status",
        "records",
        "taken",
        "refused",
        "duration_ms",
        "client_ip",
    ]
    list_filter = ["system", StatusClassFilter, ("at", admin.DateFieldListFilter)]
    list_select_related = ["system"]
    ordering = ["-at"]
    # Counting a large log for "N of M" costs a scan: the filtered count is enough.
    show_full_result_count = False
    search_fields = ["claimed", "path"]


class DeadLetterForm(forms.ModelForm):
    class Meta:
        model = FeedDeadLetter
        fields = ["record"]
        widgets = {"record": forms.Textarea(attrs={"rows": 16, "cols": 100})}

    def clean_record(self) -> str:
        text = self.cleaned_data["record"]
        try:
            json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(_("Not JSON: %(error)s") % {"error": error}) from None
        return text


@admin.register(FeedDeadLetter)
class FeedDeadLetterAdmin(MatrixAdmin):
    """Records a feed sent that could not be taken (死信): read the reason, correct the record's
    JSON, then replay it through the same adapter and intake, or discard it."""

    form = DeadLetterForm
    list_display = ["id", "system", "status", "short_error", "times_received", "received_at"]
    list_filter = ["status", "system"]
    list_select_related = ["system"]
    readonly_fields = [
        "system",
        "status",
        "error",
        "times_received",
        "received_at",
        "replayed_at",
        "replay_result",
    ]
    fields = ["system", "status", "error", "record", *readonly_fields[3:]]
    actions = ["replay_selected", "discard_selected"]

    @admin.display(description=_("error"))
    def short_error(self, obj: FeedDeadLetter) -> str:
        return obj.error if len(obj.error) <= 80 else f"{obj.error[:79]}…"

    @admin.action(description=_("Replay selected dead letters"), permissions=["change"])
    def replay_selected(self, request, queryset) -> None:
        done = dead_letters.replay(queryset.select_related("system"))
        taken = sum(1 for replayed in done if replayed.ok)
        messages.info(
            request,
            _("%(taken)d taken, %(refused)d refused again (see their error).")
            % {"taken": taken, "refused": len(done) - taken},
        )

    @admin.action(description=_("Discard selected dead letters"), permissions=["change"])
    def discard_selected(self, request, queryset) -> None:
        count = dead_letters.discard(queryset)
        messages.info(request, _("%(count)d discarded.") % {"count": count})


class DeliveryForm(forms.ModelForm):
    """The one thing an administrator changes by hand: give a waiting delivery up, or queue a
    given-up one again (which the action "retry now" also does, for many at once)."""

    state = forms.ChoiceField(
        label=_("state"),
        choices=[(s.value, s.label) for s in (DeliveryState.QUEUED, DeliveryState.FAILED)],
    )

    class Meta:
        model = FeedDelivery
        fields = ["state"]


@admin.register(FeedDelivery)
class FeedDeliveryAdmin(MatrixAdmin):
    form = DeliveryForm
    list_display = [
        "id",
        "created_at",
        "system",
        "kind",
        "tracking_no",
        "record_id",
        "seq",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["state", "system", "kind"]
    search_fields = ["tracking_no", "record_id"]
    readonly_fields = [
        "system",
        "kind",
        "tracking_no",
        "record_id",
        "seq",
        "body",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
    ]
    actions = ["retry_now"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Sent or being sent: what happened stays as it happened.
        if obj is not None and obj.state not in (DeliveryState.QUEUED, DeliveryState.FAILED):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj: FeedDelivery, form, change: bool) -> None:
        if obj.state == DeliveryState.QUEUED and "state" in form.changed_data:
            delivery.retry_now([obj.id])  # a fresh round of attempts, due now
            obj.refresh_from_db()
            return
        if obj.state == DeliveryState.FAILED and "state" in form.changed_data:
            # Given up only if no worker took it meanwhile (compare-and-set).
            FeedDelivery.objects.filter(id=obj.id, state=DeliveryState.QUEUED).update(
                state=DeliveryState.FAILED, next_attempt_at=None
            )

    @admin.action(description=_("立即重发"), permissions=["change"])
    def retry_now(self, request, queryset) -> None:
        from integrations.tasks import send_feed  # the task module imports the delivery one

        ids = delivery.retry_now(list(queryset.values_list("id", flat=True)))
        for delivery_id in ids:
            send_feed.delay(delivery_id)
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", len(ids))
            % {"n": len(ids)},
            messages.SUCCESS,
        )
