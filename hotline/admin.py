"""Admin: the block list (duty staff keep it). Numbers are shown masked in lists, in full only
on the form that edits one."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from command.admin import MatrixAdmin
from command.privacy import mask_phone
from hotline.models import BlockedNumber


@admin.register(BlockedNumber)
class BlockedNumberAdmin(MatrixAdmin):
    list_display = ("masked_phone", "reason", "created_at")
    search_fields = ("reason",)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: BlockedNumber) -> str:
        return mask_phone(obj.phone)
