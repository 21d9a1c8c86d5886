"""The feed systems in the admin: an administrator registers a system and reads its secret once,
when it is made; afterwards only its first characters are shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from command.admin import MatrixAdmin
from integrations.feeds import signing
from integrations.models import FeedSystem


@admin.register(FeedSystem)
class FeedSystemAdmin(MatrixAdmin):
    list_display = ["code", "name", "kind", "source_code", "active", "secret_hint", "pull_url"]
    list_filter = ["kind", "active"]
    exclude = ["secret"]
    readonly_fields = ["secret_hint", "pull_cursor", "last_pulled_at"]

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
