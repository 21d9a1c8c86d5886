"""Admin: reference data is edited here; incidents and their trail are read-only, because state
changes go through the lifecycle, never through a form."""

from django.contrib import admin

from command import models
from command.privacy import mask_phone


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "default_datum"]


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_kind", "sla_routine", "sla_urgent", "sla_major"]
    list_filter = ["unit_kind"]
    search_fields = ["code", "name"]


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "source", "updated_at"]
    exclude = ["geometry"]  # imported with `manage.py import_jurisdictions`
    readonly_fields = ["code", "name", "source"]


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "contact_phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    filter_horizontal = ["districts", "categories"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReportInline(admin.TabularInline):
    model = models.Report
    fields = ["source", "external_id", "received_at", "text", "phone"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="电话")
    def phone(self, report: models.Report) -> str:
        return mask_phone(report.reporter_phone)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = models.TimelineEntry
    fields = ["at", "actor_label", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Incident)
class IncidentAdmin(ReadOnly):
    list_display = ["tracking_no", "category", "priority", "status", "district", "unit", "deadline"]
    list_filter = ["status", "priority", "category", "district"]
    search_fields = ["tracking_no", "summary", "address"]
    exclude = ["match_text"]
    inlines = [ReportInline, TimelineInline]


@admin.register(models.OutboxEvent)
class OutboxEventAdmin(ReadOnly):
    list_display = ["seq", "type", "incident", "created_at", "published_at"]
    list_filter = ["type"]


@admin.register(models.ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "active", "created_at"]
    fields = ["name", "user", "active"]  # keys are issued by code: the hash is never shown

    def has_add_permission(self, request, obj=None) -> bool:
        return False
