"""Admin: reference data is edited here; incidents and their trail are read-only, because state
changes go through the lifecycle, never through a form. Every ModelAdmin asks the role matrix
(command.access_rules.ADMIN) as well as Django's per-model permissions: both must agree."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User

from command import models, roles
from command.privacy import mask_phone, mask_text


class MatrixAdmin(admin.ModelAdmin):
    """Allows what the matrix allows the user's role (or administrator) and Django's
    permissions allow them; so a permission granted by mistake opens nothing."""

    def _matrix(self, request, verb: str) -> bool:
        return roles.admin_may(request.user, self.model._meta.label_lower, verb)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._matrix(request, "view") and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._matrix(request, "add") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._matrix(request, "change") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._matrix(request, "delete") and super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(MatrixAdmin, auth_admin.UserAdmin):
    pass


# Failed sign-ins (django-axes): administrators look, and delete an attempt to unlock early.
for model, base in [
    (AccessAttempt, axes_admin.AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (MatrixAdmin, base), {}))


@admin.register(Group)
class GroupAdmin(MatrixAdmin, auth_admin.GroupAdmin):
    pass


@admin.register(models.Source)
class SourceAdmin(MatrixAdmin):
    list_display = ["code", "name", "default_datum"]


@admin.register(models.Category)
class CategoryAdmin(MatrixAdmin):
    list_display = ["code", "name", "unit_kind", "sla_routine", "sla_urgent", "sla_major"]
    list_filter = ["unit_kind"]
    search_fields = ["code", "name"]


@admin.register(models.CategoryAlias)
class CategoryAliasAdmin(MatrixAdmin):
    """A feed's own category (12319 小类, 110 警情类型) to ours: edited here, read by intake
    within a minute (its taxonomy cache)."""

    list_display = ["code", "source", "category"]
    list_filter = ["source", "category"]
    search_fields = ["code"]
    list_select_related = ["source", "category"]


@admin.register(models.District)
class DistrictAdmin(MatrixAdmin):
    list_display = ["code", "name", "source", "updated_at"]
    exclude = ["geometry"]  # imported with `manage.py import_jurisdictions`
    readonly_fields = ["code", "name", "source"]


@admin.register(models.Unit)
class UnitAdmin(MatrixAdmin):
    list_display = ["name", "kind", "parent", "contact_phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    filter_horizontal = ["districts", "categories"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(MatrixAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]


@admin.register(models.Holiday)
class HolidayAdmin(MatrixAdmin):
    list_display = ["date", "is_workday", "name"]


def _sees_personal_data(request) -> bool:
    return roles.may(request.user, "personal_data.read")


def _masked(field: str, description: str):
    """A read-only display of `field` with personal data masked."""

    @admin.display(description=description)
    def show(self, obj) -> str:
        return mask_text(getattr(obj, field))

    return show


class PersonalDataInline(admin.TabularInline):
    """A read-only trail whose free text is masked for readers without the personal-data right
    (the matrix): the original fields for them, masked copies for everyone else."""

    personal: list[str] = []  # fields holding free text
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None) -> list[str]:
        if _sees_personal_data(request):
            return self.fields
        return [f"masked_{name}" if name in self.personal else name for name in self.fields]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReportInline(PersonalDataInline):
    model = models.Report
    fields = ["source", "external_id", "received_at", "text", "address", "phone"]
    personal = ["text", "address"]

    @admin.display(description="电话")
    def phone(self, report: models.Report) -> str:
        return mask_phone(report.reporter_phone)

    masked_text = _masked("text", "内容")
    masked_address = _masked("address", "地址")


class TimelineInline(PersonalDataInline):
    model = models.TimelineEntry
    fields = ["at", "actor_label", "action", "from_status", "to_status", "note"]
    personal = ["note"]

    masked_note = _masked("note", "备注")


@admin.register(models.Incident)
class IncidentAdmin(MatrixAdmin):
    list_display = ["tracking_no", "category", "priority", "status", "district", "unit", "deadline"]
    list_filter = ["status", "priority", "category", "district"]
    search_fields = ["tracking_no", "summary", "address"]
    exclude = ["match_text"]
    inlines = [ReportInline, TimelineInline]

    masked_summary = _masked("summary", "摘要")
    masked_address = _masked("address", "地址")

    def get_search_fields(self, request) -> list[str]:
        if _sees_personal_data(request):
            return self.search_fields
        return ["tracking_no"]  # searching the text would confirm a masked phone number

    def get_exclude(self, request, obj=None) -> list[str]:
        if _sees_personal_data(request):
            return self.exclude
        return [*self.exclude, "summary", "address"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [] if _sees_personal_data(request) else ["masked_summary", "masked_address"]


@admin.register(models.OutboxEvent)
class OutboxEventAdmin(MatrixAdmin):
    list_display = ["seq", "type", "incident", "created_at", "published_at"]
    list_filter = ["type"]


@admin.register(models.ApiKey)
class ApiKeyAdmin(MatrixAdmin):
    list_display = ["name", "prefix", "user", "scopes", "active", "created_at"]
    # Keys are issued by code (command.api_keys.issue_key): the hash is never shown.
    fields = ["name", "user", "scopes", "active"]
