"""Shapes of the API's requests and answers (and so of its OpenAPI document)."""

from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from command import lifecycle
from command.models import Incident, IncidentStatus, Priority, Report, TimelineEntry
from command.outbox.events import incident_summary
from command.privacy import mask_phone, mask_text

DATUMS = ["wgs84", "gcj02", "bd09"]
# Ids are 64-bit in the database: a larger number must be a 400, not an OverflowError.
MAX_ID = 2**63 - 1


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "NUL characters are not allowed."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Not valid Unicode text."
    return None


def _clean_json(value: Any, path: str = "") -> None:
    """PostgreSQL's jsonb refuses NUL characters and infinite numbers (1e309), UTF-8 refuses
    lone surrogates: say so here, naming the field, rather than fail at the database.

    Errors are raised as {field: [message]}: a bare message raised from `to_internal_value`
    makes DRF's `serializer.errors` fail (a 500). A bad key is reported at its parent, so the
    bad text never reaches the answer."""
    if isinstance(value, dict):
        for key, sub in value.items():
            _clean_json(str(key), path)
            _clean_json(sub, f"{path}.{key}" if path else str(key))
        return
    if isinstance(value, list):
        for i, sub in enumerate(value):
            _clean_json(sub, f"{path}[{i}]")
        return
    problem = None
    if isinstance(value, str):
        problem = _text_problem(value)
    elif isinstance(value, float) and not math.isfinite(value):
        problem = "Numbers must be finite."
    if problem:
        raise serializers.ValidationError({path or "request": [problem]})


class CleanCharField(serializers.CharField):
    """Text as JSON text only: DRF would take 123 as "123", a client's bug taken for a report."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Give text (a JSON string).")
        value = super().to_internal_value(data)
        problem = _text_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class JsonFloat(serializers.FloatField):
    """A JSON number only: DRF would take true as 1.0 and "45.7" as 45.7."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise serializers.ValidationError("Give a number (a JSON number, not text or true).")
        return super().to_internal_value(data)


class JsonInteger(serializers.IntegerField):
    """A JSON integer only: DRF would take true as 1 and "7" as 7."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError("Give an integer (a JSON number, not text or true).")
        return super().to_internal_value(data)


class LocationIn(serializers.Serializer):
    lat = JsonFloat(min_value=-90, max_value=90)
    lon = JsonFloat(min_value=-180, max_value=180)
    datum = serializers.ChoiceField(
        choices=DATUMS,
        required=False,
        default="",
        help_text="Omitted: the source's own datum (GCJ-02 for 110 and 12319, else WGS-84).",
    )


class ReporterIn(serializers.Serializer):
    phone = CleanCharField(max_length=32, required=False, allow_blank=True, default="")
    name = CleanCharField(max_length=64, required=False, allow_blank=True, default="")


class ReportIn(serializers.Serializer):
    source = CleanCharField(max_length=32)
    external_id = CleanCharField(max_length=128)
    received_at = serializers.DateTimeField(required=False, default=None)
    text = CleanCharField(max_length=4000)
    category = CleanCharField(max_length=64, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default="")
    location = LocationIn(required=False, default=None, allow_null=True)
    address = CleanCharField(max_length=255, required=False, allow_blank=True, default="")
    reporter = ReporterIn(required=False, default=None, allow_null=True)

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"request": ["Send a JSON object."]})
        _clean_json(data)
        return super().to_internal_value(data)


class DistrictOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UnitOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IncidentOut(serializers.Serializer):
    """The incident summary (`command.outbox.events.incident_summary`); personal data in its
    text is masked unless the context says the reader may see it (`personal_data`)."""

    tracking_no = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    category = serializers.DictField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    summary = serializers.CharField()
    district = DistrictOut(allow_null=True)
    unit = UnitOut(allow_null=True)
    location = serializers.DictField(allow_null=True)
    address = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField()
    merged_into = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()

    def to_representation(self, instance: Incident) -> dict:
        return incident_summary(instance, personal_data=self.context.get("personal_data", False))


class ReportAccepted(serializers.Serializer):
    report_id = serializers.IntegerField()
    merged = serializers.BooleanField()
    incident = IncidentOut()


class ReportOut(serializers.ModelSerializer):
    source = serializers.CharField(source="source.code")
    phone = serializers.SerializerMethodField(help_text="Masked, except for operators.")
    text = serializers.SerializerMethodField(
        help_text="Personal data masked, except for operators."
    )
    address = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "source",
            "external_id",
            "received_at",
            "text",
            "category_given",
            "lat",
            "lon",
            "original_lat",
            "original_lon",
            "original_datum",
            "address",
            "phone",
        ]

    def get_phone(self, report: Report) -> str:
        if not report.reporter_phone:
            return ""
        return (
            report.reporter_phone
            if self.context.get("personal_data")
            else mask_phone(report.reporter_phone)
        )

    def get_text(self, report: Report) -> str:
        return _shown(self.context, report.text)

    def get_address(self, report: Report) -> str:
        return _shown(self.context, report.address)


class TimelineOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    note = serializers.SerializerMethodField(
        help_text="Personal data masked, except for operators."
    )

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor", "action", "from_status", "to_status", "note", "data"]

    def get_note(self, entry: TimelineEntry) -> str:
        return _shown(self.context, entry.note)


def _shown(context: dict, text: str) -> str:
    """Free text as this reader may see it: in full with the personal_data right, else masked."""
    return text if context.get("personal_data") else mask_text(text)


class IncidentDetail(IncidentOut):
    reports = ReportOut(many=True, read_only=True)
    timeline = TimelineOut(many=True, read_only=True)

    def to_representation(self, instance: Incident) -> dict:
        data = super().to_representation(instance)
        data["reports"] = ReportOut(
            instance.reports.select_related("source"), many=True, context=self.context
        ).data
        data["timeline"] = TimelineOut(
            instance.timeline.all(), many=True, context=self.context
        ).data
        return data


class IncidentQuery(serializers.Serializer):
    status = CleanCharField(required=False, help_text="Comma-separated statuses.")
    district = CleanCharField(required=False, max_length=12)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    category = CleanCharField(required=False, max_length=48)
    since = serializers.DateTimeField(required=False, help_text="Opened at or after.")
    bbox = CleanCharField(required=False, help_text="min_lon,min_lat,max_lon,max_lat (WGS-84)")
    # Bounded so the OFFSET stays a 64-bit integer (SQLite fails on a larger one).
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    def validate_status(self, value: str) -> list[str]:
        statuses = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in statuses if s not in IncidentStatus.values]
        if unknown:
            known = ", ".join(IncidentStatus.values)
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown)}; choose from {known}."
            )
        return statuses

    def validate_bbox(self, value: str) -> tuple[float, float, float, float]:
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in value.split(","))
        except ValueError as exc:
            raise serializers.ValidationError(
                "Give four numbers: min_lon,min_lat,max_lon,max_lat."
            ) from exc
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise serializers.ValidationError("Not a box: check the order and the ranges.")
        return min_lon, min_lat, max_lon, max_lat


def _version_field() -> JsonInteger:
    return JsonInteger(
        required=False,
        min_value=1,
        allow_null=True,
        default=None,
        help_text="The version you saw; a newer one answers 409 instead of acting on it.",
    )


class TransitionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(lifecycle.ACTIONS))
    note = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")
    unit_id = JsonInteger(required=False, min_value=1, allow_null=True, default=None)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    version = _version_field()

    def to_internal_value(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"request": ["Send a JSON object."]})
        # A ChoiceField's error echoes the input: a lone surrogate there breaks the answer.
        _clean_json(data)
        return super().to_internal_value(data)


class CorrectionIn(serializers.Serializer):
    """An unmerge or a split: why, and the version of the incident it changes."""

    note = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")
    version = _version_field()


class MergeIn(CorrectionIn):
    into = CleanCharField(max_length=20, help_text="Tracking number of the incident to keep.")


class EventQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)
    stream = CleanCharField(
        help_text="Comma-separated streams: all, district:<code>, unit:<id>, incident:<no>."
    )
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=200)

    def validate_stream(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names or len(names) > 50:
            raise serializers.ValidationError("Name 1 to 50 streams.")
        return names


class EventPage(serializers.Serializer):
    events = serializers.ListField(child=serializers.DictField())
    next_after = serializers.IntegerField(help_text="Ask again with after=next_after.")
    more = serializers.BooleanField()
    head = serializers.IntegerField(help_text="The newest seq relayed so far.")
