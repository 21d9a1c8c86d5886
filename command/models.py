"""The unified incident core's tables: what came in (Report), what the city handles (Incident),
who handles it (Unit, Assignment), what happened (TimelineEntry) and what to announce (OutboxEvent).

Rows here are changed only through `command.intake` (creation, merge) and `command.lifecycle`
(state changes); the admin is read-mostly.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """Where reports come from: 12345 hotline, SMS, web/Open311, 110, 12319, and any added later."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    # The datum this source's coordinates use when a report does not say.
    default_datum = models.CharField(_("default datum"), max_length=8, default="wgs84")

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    ROUTINE = "routine", _("一般")
    URGENT = "urgent", _("紧急")
    MAJOR = "major", _("重大")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("职能部门")
    DISTRICT_GOVERNMENT = "district_government", _("区政府")
    STREET_OFFICE = "street_office", _("街道办事处")
    ENTERPRISE = "enterprise", _("公共服务企业")


class Category(models.Model):
    """One entry of the city-service taxonomy, with its deadlines per priority.

    SLA specs read "2h" (hours), "3d" (calendar days) or "7wd" (working days); see
    command.routing.sla.
    """

    code = models.CharField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    unit_kind = models.CharField(_("handled by"), max_length=32, choices=UnitKind.choices)
    sla_routine = models.CharField(_("SLA routine"), max_length=8, default="7wd")
    sla_urgent = models.CharField(_("SLA urgent"), max_length=8, default="24h")
    sla_major = models.CharField(_("SLA major"), max_length=8, default="2h")
    default_priority = models.CharField(
        _("default priority"), max_length=16, choices=Priority.choices, default=Priority.ROUTINE
    )
    # Words that point to this category in a free text (classification when no code is given).
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # Reports merge only within one merge group (a burst pipe reported as "water" or "road").
    merge_group = models.CharField(_("merge group"), max_length=48)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def sla_for(self, priority: str) -> str:
        return {
            Priority.ROUTINE: self.sla_routine,
            Priority.URGENT: self.sla_urgent,
            Priority.MAJOR: self.sla_major,
        }[Priority(priority)]


class CategoryAlias(models.Model):
    """A source's own category code (e.g. a 12319 code) mapped to ours."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, verbose_name=_("source"))
    # Matched lower-cased, whole or by its last part after "/" (command.intake.classify).
    code = models.CharField(_("the source's code or name"), max_length=64)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, verbose_name=_("category"))

    class Meta:
        verbose_name = _("category alias")
        verbose_name_plural = _("category aliases")
        ordering = ["source", "code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="category_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source.code}: {self.code}"

    def save(self, *args, **kwargs) -> None:
        # classify looks codes up lower-cased; an administrator may type "A01".
        self.code = self.code.strip().lower()
        super().save(*args, **kwargs)


class District(models.Model):
    """A jurisdiction polygon (county-level district), WGS-84 GeoJSON, keyed by adcode."""

    code = models.CharField(_("adcode"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    geometry = models.JSONField(_("geometry (GeoJSON, WGS-84)"))
    source = models.CharField(_("data source"), max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A responsible unit: department, district government, street office or utility."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    districts = models.ManyToManyField(District, blank=True, verbose_name=_("jurisdiction"))
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("categories handled"))
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OPERATOR = "operator", _("话务员")
    DUTY_OFFICER = "duty_officer", _("值班员")
    DUTY_LEADER = "duty_leader", _("带班领导")
    UNIT_STAFF = "unit_staff", _("承办单位人员")
    INTEGRATOR = "integrator", _("对接系统")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class KeyScopes(models.TextChoices):
    """What a key may be used for, whatever its holder's role allows (SECURITY.md)."""

    INTAKE = "intake", _("intake only (POST reports)")
    READ = "read", _("read only (incidents, events, and actions the holder's role allows)")
    BOTH = "intake read", _("intake and read")


class ApiKey(models.Model):
    """A bearer key for integrators; the key itself is never stored, only its SHA-256.
    Issued and revoked by administrators (admin, `manage.py issue_api_key`), never deleted:
    its request log (ApiRequest) keeps naming it."""

    INTAKE, READ = "intake", "read"

    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("holder")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Least privilege: a key reads nothing unless issued (or changed by an administrator) to.
    scopes = models.CharField(
        _("scopes"), max_length=16, choices=KeyScopes.choices, default=KeyScopes.INTAKE
    )
    # Requests a minute; empty: CITYDESK["API_KEY_RATE_LIMIT"] (command.api_keys.admit).
    rate_limit = models.PositiveIntegerField(
        _("rate limit (requests a minute)"),
        null=True,
        blank=True,
        help_text=_("Empty: the default (CITYDESK_API_KEY_RATE_LIMIT)."),
        validators=[MinValueValidator(1)],
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    # Kept to the minute by the request log's flush (command.request_log), not on every request.
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: str) -> bool:
        """Whether this key carries `scope` (ApiKey.INTAKE or ApiKey.READ)."""
        return scope in self.scopes.split()


class ApiRequest(models.Model):
    """One request made with an API key: who, what, how it ended. Never the body, the query
    string or anything a citizen said; pruned after CITYDESK["API_LOG_RETENTION_DAYS"]."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, verbose_name=_("API key"))
    at = models.DateTimeField(_("time"))
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.FloatField(_("duration (ms)"))
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        indexes = [
            models.Index(fields=["key", "-at"], name="apirequest_key_at"),
            models.Index(fields=["at"], name="apirequest_at"),  # the prune, the date filter
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class Holiday(models.Model):
    """The holiday calendar: public holidays, and weekend days made working days (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]


class IncidentStatus(models.TextChoices):
    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("处置中")
    RETURNED = "returned", _("已退回")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    REOPENED = "reopened", _("已重启")
    MERGED = "merged", _("已合并")


# Incidents that new reports may still merge into.
OPEN_STATUSES = (
    IncidentStatus.NEW,
    IncidentStatus.DISPATCHED,
    IncidentStatus.ACCEPTED,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.RETURNED,
    IncidentStatus.REOPENED,
)


class Incident(models.Model):
    tracking_no = models.CharField(_("tracking number"), max_length=20, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    summary = models.TextField(_("summary"))
    # Normalised text of the reports, what merge compares new reports against.
    match_text = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(_("opened at"))
    # When its latest report was received (null: only the first, at opened_at): the merge window
    # runs from here, so a follow-up a day and a half into an open incident still joins it.
    last_report_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every transition: clients send the version they saw to detect stale updates.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "opened_at"], name="incident_status_opened"),
            models.Index(fields=["unit", "status"], name="incident_unit_status"),
            models.Index(fields=["district", "status"], name="incident_district_status"),
        ]

    def __str__(self) -> str:
        return self.tracking_no


class Report(models.Model):
    """One raw intake, immutable once stored.

    Only `incident` (which incident the report belongs to) changes, and only through merge and
    split, each recorded on the timeline.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT)
    external_id = models.CharField(_("external id"), max_length=128)
    received_at = models.DateTimeField(_("received at"))
    stored_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("text"))
    category_given = models.CharField(_("category as given"), max_length=64, blank=True)
    priority_given = models.CharField(_("priority as given"), max_length=16, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    original_lat = models.FloatField(null=True, blank=True)
    original_lon = models.FloatField(null=True, blank=True)
    original_datum = models.CharField(max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)
    reporter_name = models.CharField(_("reporter name"), max_length=64, blank=True)
    payload = models.JSONField(_("raw payload"), default=dict)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="report_source_extid")
        ]
        indexes = [models.Index(fields=["reporter_phone"], name="report_phone")]

    def __str__(self) -> str:
        return f"{self.source.code}:{self.external_id}"


class AssignmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("处置中")
    RESOLVED = "resolved", _("已办结")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤回")
    PASSED_DOWN = "passed_down", _("已下派")


# Assignments still being worked on (signed or not): what the supervision scanner watches.
ACTIVE_ASSIGNMENT_STATUSES = (
    AssignmentStatus.DISPATCHED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.IN_PROGRESS,
)


class AssignmentRole(models.TextChoices):
    """Joint handling (联合办理): one lead unit, any number of assisting units."""

    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class ExtensionStatus(models.TextChoices):
    NONE = "", _("无")
    REQUESTED = "requested", _("申请延期")
    APPROVED = "approved", _("已批准延期")
    REJECTED = "rejected", _("已驳回延期")


class Assignment(models.Model):
    """An incident handed to one unit, with its own deadline and state."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.DISPATCHED
    )
    deadline = models.DateTimeField(_("deadline"))
    dispatched_at = models.DateTimeField()
    # The incident's district and category when it was dispatched (set by lifecycle): unit
    # performance per district or category is counted from the assignments alone.
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    extension_status = models.CharField(
        max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.NONE, blank=True
    )
    extension_until = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    role = models.CharField(
        _("role"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    # Multi-level dispatch (下派): the district government's assignment this one was passed on
    # from; the deadline travels with it.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="passed_on"
    )
    # Supervision points, stored so the scanner reads them: sign by (签收时限) and the yellow
    # warning at 80 % of the time from dispatch to the deadline.
    sign_due_at = models.DateTimeField(_("sign by"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    # A return duty staff overruled (驳回退回): only these count against the unit's return rate.
    return_overruled_at = models.DateTimeField(null=True, blank=True)
    return_overruled_note = models.TextField(blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # The scanner's pass reads the open assignments only.
            models.Index(
                fields=["warn_at"],
                name="assignment_open",
                condition=models.Q(ended_at__isnull=True),
            ),
            # Performance figures (command.performance.kpis) select a period's assignments.
            models.Index(fields=["dispatched_at"], name="assignment_dispatched"),
        ]


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


class IncidentPhoto(models.Model):
    """A photo of the site a unit took, before or after handling; stored through Django's
    storage API, shown only through a view that checks who may see the incident. Recorded on
    the timeline by command.lifecycle (the `note` transition), never created elsewhere."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="photos")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    kind = models.CharField(_("照片类型"), max_length=8, choices=PhotoKind.choices)
    file = models.FileField(_("文件"), upload_to="incident_photos/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.kind}:{self.pk}"


class TimelineEntry(models.Model):
    """The audit trail: append-only, one row per action on an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Who acted when no user did: "system", "intake:110", "routing".
    actor_label = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("timeline entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("timeline entries are append-only")


class OutboxEvent(models.Model):
    """An event to announce, written in the transaction of the change it announces.

    `seq` is the global order clients see. The relay assigns it after commit, one relay at a
    time, so seq follows commit order and has no holes that fill in later (an autoincrement id
    would: ids are taken at insert, not at commit). Null means not yet relayed.
    """

    type = models.CharField(max_length=48)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT)
    payload = models.JSONField(default=dict)
    # Server-side stream keys this event belongs to: "all", "district.230102", "unit.7", ...
    streams = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_unsequenced",
                condition=models.Q(seq__isnull=True),
            ),
            models.Index(
                fields=["seq"],
                name="outbox_unpublished",
                condition=models.Q(seq__isnull=False, published_at__isnull=True),
            ),
        ]

    def frame(self) -> dict:
        """The event as WebSocket frames and the resync API carry it."""
        return {
            "seq": self.seq,
            "type": self.type,
            "action": self.payload.get("action", ""),
            "incident": self.payload.get("incident"),
            "at": self.payload.get("at"),
            # Events about no incident (an incoming call) name their subject by id only.
            **({"call": self.payload["call"]} if "call" in self.payload else {}),
        }


class EventStream(models.Model):
    """Which stream an outbox event belongs to, so a resync reads one stream's events by index."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="stream_rows")
    key = models.CharField(max_length=96)

    class Meta:
        indexes = [models.Index(fields=["key", "event"], name="eventstream_key_event")]


class TrackingCounter(models.Model):
    """Per-day counter behind tracking numbers (20261122-0042); numbers are never reused."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class AlertKind(models.TextChoices):
    WARNING = "warning", _("黄色预警")
    OVERDUE = "overdue", _("红色超时")
    NOT_SIGNED = "not_signed", _("超时未签收")
    NOTICE_UNANSWERED = "notice_unanswered", _("督办单逾期未回复")


class AlertAddressee(models.TextChoices):
    UNIT = "unit", _("承办单位")
    DUTY_LEADER = "duty_leader", _("带班领导")


class SupervisionAlert(models.Model):
    """A supervision alert (督办提醒) the scanner fired: written with its timeline entry and
    outbox event by command.lifecycle, once per (assignment, kind, due time, addressee).

    SMS hand-off: `sms_pending` rows are what the SMS outbound path sends to the unit's contact
    (command.supervision.alerts.sms_pending / mark_sms_sent); nothing here sends.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alerts")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"))
    addressed_to = models.CharField(
        _("addressed to"), max_length=16, choices=AlertAddressee.choices
    )
    notice = models.ForeignKey(
        "SupervisionNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    sms_pending = models.BooleanField(default=False)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("supervision alert")
        verbose_name_plural = _("supervision alerts")
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "due_at", "addressed_to"], name="alert_fires_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["id"], name="alert_sms_pending", condition=models.Q(sms_pending=True)
            )
        ]


class SupervisionNotice(models.Model):
    """A supervision notice (督办单) duty staff issue on a ticket: the unit replies by `reply_by`;
    the reply, or its absence (the scanner's alert), is recorded."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notices")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="notices")
    text = models.TextField(_("notice"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_by = models.DateTimeField(_("reply by"))
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(
                fields=["reply_by"],
                name="notice_unanswered",
                condition=models.Q(replied_at__isnull=True),
            )
        ]
