"""Emerging events on the database: the surge scan over recently opened incidents (duty.surge
decides), and turning an emerging event into one major incident with its reports, in one
transaction through command.lifecycle (make_major on the oldest, then merge the others into it).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from command import lifecycle
from command.models import OPEN_STATUSES, Category, District, Incident, Priority
from duty import dutylog, escalation, surge
from duty.errors import EmergingClosed
from duty.models import AlertSource, EmergingEvent, EmergingStatus, LogKind

PARAMS = surge.Params()


def scan(now: datetime, params: surge.Params = PARAMS) -> list[EmergingEvent]:
    """Test every area and category with enough incidents opened in each window; record new
    surges (or grow the open one of the same area and category) and alert the leader on duty.
    Returns the emerging events raised or grown by this pass."""
    found: dict[tuple[str, int], EmergingEvent] = {}
    for window_h in params.windows_h:
        start = now - timedelta(hours=window_h)
        rows = list(
            Incident.objects.filter(opened_at__gt=start, opened_at__lte=now).values_list(
                "id", "category_id", "district_id", "lat", "lon"
            )
        )
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for pk, category_id, district_id, lat, lon in rows:
            if district_id is not None:
                groups[(f"district:{district_id}", category_id)].append(pk)
            if lat is not None and lon is not None:
                groups[(surge.cell_of(lat, lon), category_id)].append(pk)
        for (area, category_id), ids in groups.items():
            if len(ids) < params.min_count(area):
                continue
            base = _baseline(area, category_id, start, params).count()
            verdict = surge.judge(area, len(ids), base, window_h, params)
            if verdict.surge:
                event = _record(area, category_id, ids, start, now, verdict, params)
                found[(area, category_id)] = event
    return list(found.values())


def convert(event_id: int, user: AbstractBaseUser, note: str = "") -> Incident:
    """One major incident from an emerging event: the oldest of its incidents still open becomes
    major and the other open ones are merged into it (their reports move with them), all or
    nothing, each step checked by the lifecycle (roles, statuses) and on the timelines."""
    with transaction.atomic():
        event = EmergingEvent.objects.select_for_update().get(pk=event_id)
        if event.status != EmergingStatus.OPEN:
            raise EmergingClosed(_("该突发聚集已处理。"))
        incidents = list(
            Incident.objects.filter(id__in=event.incident_ids, status__in=OPEN_STATUSES).order_by(
                "opened_at", "id"
            )
        )
        if not incidents:
            raise EmergingClosed(_("该突发聚集的事件都已关闭或合并，无可转换的事件。"))
        into = incidents[0]
        why = note.strip() or f"突发聚集：{event.area_name}{event.category.name} {event.count} 起"
        if into.priority != Priority.MAJOR:
            lifecycle.apply(into.id, lifecycle.Request("make_major", actor=user, note=why))
        for other in incidents[1:]:
            lifecycle.merge(
                other.tracking_no,
                into.tracking_no,
                lifecycle.Request("merge", actor=user, note=why),
            )
        into.refresh_from_db()
        event.status, event.incident = EmergingStatus.CONVERTED, into
        event.save(update_fields=["status", "incident"])
        dutylog.record(
            LogKind.MAJOR_INCIDENT,
            f"突发聚集转为重大事件 {into.tracking_no}，合并 {len(incidents) - 1} 起：{why}",
            author=user,
            incident=into,
        )
    return into


def dismiss(event_id: int, user: AbstractBaseUser, note: str) -> EmergingEvent:
    with transaction.atomic():
        event = EmergingEvent.objects.select_for_update().get(pk=event_id)
        if event.status != EmergingStatus.OPEN:
            raise EmergingClosed(_("该突发聚集已处理。"))
        event.status = EmergingStatus.DISMISSED
        event.save(update_fields=["status"])
        dutylog.record(
            LogKind.EMERGING, f"排除突发聚集 {event.area_name}：{note.strip()}", author=user
        )
    return event


def _baseline(area: str, category_id: int, window_start: datetime, params: surge.Params):
    since = window_start - timedelta(days=params.baseline_days)
    found = Incident.objects.filter(
        category_id=category_id, opened_at__gt=since, opened_at__lte=window_start
    )
    if area.startswith("district:"):
        return found.filter(district_id=int(area.split(":")[1]))
    south, north, west, east = surge.cell_bounds(area)
    return found.filter(lat__gte=south, lat__lt=north, lon__gte=west, lon__lt=east)


def _record(
    area: str,
    category_id: int,
    ids: list[int],
    start: datetime,
    now: datetime,
    verdict: surge.Verdict,
    params: surge.Params,
) -> EmergingEvent:
    recent = now - timedelta(hours=params.cooldown_h)
    with transaction.atomic():
        event = (
            EmergingEvent.objects.select_for_update()
            .filter(area=area, category_id=category_id, window_end__gte=recent)
            .order_by("-detected_at")
            .first()
        )
        if event is not None:
            merged = sorted(set(event.incident_ids) | set(ids))
            if len(merged) > len(event.incident_ids):
                event.incident_ids, event.count = merged, len(merged)
                event.window_end = now
                event.save(update_fields=["incident_ids", "count", "window_end"])
            return event
        name, district, lat, lon = _place(area, ids)
        category = Category.objects.get(pk=category_id)
        event = EmergingEvent.objects.create(
            category=category,
            area=area,
            area_name=name,
            district=district,
            window_start=start,
            window_end=now,
            count=verdict.count,
            expected=verdict.expected,
            p_value=verdict.p_value,
            lat=lat,
            lon=lon,
            detected_at=now,
            incident_ids=sorted(ids),
        )
        reason = (
            f"突发聚集：{name}{category.name} {verdict.count} 起"
            f"（通常约 {verdict.expected:.2f} 起），请研判"
        )
        dutylog.record(LogKind.EMERGING, reason, at=now)
        escalation.raise_alert(
            AlertSource.EMERGING, f"emerging:{event.pk}", reason, emerging=event, now=now
        )
    return event


def _place(area: str, ids: list[int]) -> tuple[str, District | None, float | None, float | None]:
    points = list(Incident.objects.filter(id__in=ids, lat__isnull=False).values_list("lat", "lon"))
    lat = sum(p[0] for p in points) / len(points) if points else None
    lon = sum(p[1] for p in points) / len(points) if points else None
    if area.startswith("district:"):
        district = District.objects.get(pk=int(area.split(":")[1]))
        return district.name, district, lat, lon
    district_id = (
        Incident.objects.filter(id__in=ids, district__isnull=False)
        .values_list("district_id", flat=True)
        .first()
    )
    district = District.objects.filter(pk=district_id).first() if district_id else None
    prefix = district.name if district else ""
    return f"{prefix}约1公里范围内", district, lat, lon
