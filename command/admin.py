"""Admin: reference data is edited here; incidents and their trail are read-only, because state
changes go through the lifecycle, never through a form. Every ModelAdmin asks the role matrix
(command.access_rules.ADMIN) as well as Django's per-model permissions: both must agree."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from command import api_keys, models, roles
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


class ApiKeyAddForm(forms.ModelForm):
    """Issuing a key: its holder is an integrator account, chosen or made here."""

    holder = forms.ModelChoiceField(
        queryset=User.objects.filter(staffprofile__role=models.Role.INTEGRATOR, is_active=True),
        required=False,
        label=_("holder"),
        help_text=_("An integrator account (role 对接系统)."),
    )
    new_holder = forms.CharField(
        required=False,
        max_length=150,
        label=_("or a new integrator account"),
        help_text=_("A user name: the account is made with the integrator role and no password."),
        validators=[UnicodeUsernameValidator()],
    )

    class Meta:
        model = models.ApiKey
        fields = ["name", "scopes", "rate_limit"]

    def clean(self) -> dict:
        data = super().clean()
        holder, new_holder = data.get("holder"), data.get("new_holder")
        if bool(holder) == bool(new_holder):
            raise forms.ValidationError(_("Choose a holder or name a new account, not both."))
        if new_holder and User.objects.filter(username=new_holder).exists():
            self.add_error("new_holder", _("This user name is taken."))
        return data


class StatusClassFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status_class"
    CLASSES = {"2xx": (200, 300), "4xx": (400, 500), "429": (429, 430), "5xx": (500, 600)}

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [(name, name) for name in self.CLASSES]

    def queryset(self, request, queryset):
        bounds = self.CLASSES.get(self.value() or "")
        if bounds is None:
            return queryset
        return queryset.filter(status__gte=bounds[0], status__lt=bounds[1])


@admin.register(models.ApiKey)
class ApiKeyAdmin(MatrixAdmin):
    """Keys are issued here (the raw key shown once, on the page answering the form) and
    revoked by the action; never deleted, so their request log keeps naming them."""

    list_display = [
        "name",
        "prefix",
        "user",
        "scopes",
        "rate",
        "state",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["scopes", "active"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = ["revoke"]
    ADD_FIELDS = ["name", "holder", "new_holder", "scopes", "rate_limit"]
    CHANGE_FIELDS = ["name", "scopes", "rate_limit"]
    SHOWN = ["prefix", "user", "state", "created_at", "last_used_at", "revoked_at", "revoked_by"]

    def get_fields(self, request, obj=None) -> list[str]:
        return self.ADD_FIELDS if obj is None else [*self.CHANGE_FIELDS, *self.SHOWN]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [] if obj is None else self.SHOWN

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("rate limit"))
    def rate(self, key: models.ApiKey) -> str:
        return _("%(n)d/min") % {"n": api_keys.rate_limit_of(key)}

    @admin.display(description=_("state"))
    def state(self, key: models.ApiKey) -> str:
        return STATES[api_keys.state(key)]

    def save_model(self, request, obj: models.ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            obj.user = form.cleaned_data["holder"] or api_keys.new_integrator(
                form.cleaned_data["new_holder"]
            )
            obj._raw_key = api_keys.new_secret(obj)  # shown by response_add, never stored
            super().save_model(request, obj, form, change)

    def response_add(self, request, obj: models.ApiKey, post_url_continue=None):
        """The one page that shows the key, answering the form's POST: not a message (which
        would sit in the session or a cookie), not cached by the browser."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API key issued"),
            "key": obj,
            "raw_key": obj._raw_key,
            "rate": self.rate(obj),
        }
        response = TemplateResponse(request, "admin/command/apikey/issued.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = sum(api_keys.revoke(key, by=request.user) for key in queryset)
        self.message_user(
            request,
            _("%(n)d keys revoked: they stop working at once here, within %(s)d s everywhere.")
            % {"n": revoked, "s": api_keys.KNOWN_KEY_TTL_S},
            messages.SUCCESS,
        )


STATES = {
    "active": _("active"),
    "revoked": _("revoked"),
    "holder inactive": _("holder inactive"),
}


@admin.register(models.ApiRequest)
class ApiRequestAdmin(MatrixAdmin):
    """Integrators' requests, read-only (the matrix gives view only): never a body."""

    list_display = ["at", "key", "method", "path", "status", "duration_ms", "client_ip"]
    list_filter = ["key", StatusClassFilter, ("at", admin.DateFieldListFilter)]
    list_select_related = ["key"]
    ordering = ["-at"]
    # Counting a large log for "N of M" costs a scan: the filtered count is enough.
    show_full_result_count = False
    search_fields = ["path"]
