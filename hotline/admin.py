"""Admin: the block list (duty staff keep it), and citizens' texts with the complaints held back
(rate limit, block list) for duty staff to release. Numbers are shown masked in lists, in full
only on the form that edits a blocked one."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from command.admin import MatrixAdmin
from command.privacy import mask_phone
from hotline import conversation
from hotline.models import BlockedNumber, Hold, InboundMessage, MessageKind


@admin.register(BlockedNumber)
class BlockedNumberAdmin(MatrixAdmin):
    list_display = ("masked_phone", "reason", "created_at")
    search_fields = ("reason",)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: BlockedNumber) -> str:
        return mask_phone(obj.phone)


class HeldFilter(admin.SimpleListFilter):
    title = _("暂缓受理")
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("waiting", _("待处理")), *Hold.choices[1:]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "waiting":
            return queryset.exclude(hold="").filter(report__isnull=True)
        if self.value():
            return queryset.filter(hold=self.value())
        return queryset


@admin.register(InboundMessage)
class InboundMessageAdmin(MatrixAdmin):
    """Read-only but for one action: release held complaints to intake (with a receipt). Whoever
    may look at the texts (duty staff, administrators) may release them: a held complaint is a
    citizen's report waiting on a person, not a record to edit."""

    list_display = ("received_at", "masked_sender", "kind", "hold", "report", "released_at")
    list_filter = (HeldFilter, "kind")
    search_fields = ("body",)
    ordering = ("-received_at",)
    actions = ("release",)
    readonly_fields = ("masked_sender", "body", "received_at", "kind", "hold", "report")
    fields = readonly_fields

    @admin.display(description=_("sender"))
    def masked_sender(self, obj: InboundMessage) -> str:
        return mask_phone(obj.sender)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_release_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.action(description=_("受理所选的暂缓短信"), permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        held = queryset.exclude(hold="").filter(report__isnull=True, kind=MessageKind.COMPLAINT)
        taken = [conversation.release(message.id) for message in held]
        stored = sum(1 for message in taken if message.report_id is not None)
        self.message_user(
            request,
            _("已受理 %(n)d 条短信。") % {"n": stored},
            messages.SUCCESS if stored else messages.WARNING,
        )
