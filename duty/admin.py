"""Admin: the duty room's reference data (shift kinds, the escalation chain, duty phones),
through the role matrix like every model (command.admin.MatrixAdmin). Shifts, the log,
handovers and alerts are kept on the /duty/ pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from command.admin import MatrixAdmin
from command.privacy import mask_phone
from duty import models


@admin.register(models.ShiftKind)
class ShiftKindAdmin(MatrixAdmin):
    list_display = ["code", "name", "start", "hours"]


@admin.register(models.EscalationLevel)
class EscalationLevelAdmin(MatrixAdmin):
    list_display = ["position", "title", "user", "minutes"]


@admin.register(models.DutyContact)
class DutyContactAdmin(MatrixAdmin):
    list_display = ["user", "masked_phone"]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: models.DutyContact) -> str:
        return mask_phone(obj.phone)
