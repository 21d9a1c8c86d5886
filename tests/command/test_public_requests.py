"""command.public_requests: each report as a public request, its state its incident's, the
duplicates of an incident's first report named, and nothing of its reporter read or returned."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.utils import timezone

from command import lifecycle, public_requests
from command.public_requests import CLOSED, OPEN, PublicRequest


def window() -> dict:
    now = timezone.now()
    return {"start": now - timedelta(days=1), "end": now + timedelta(minutes=1)}


def test_a_public_request_has_no_field_for_personal_data():
    names = {field.name for field in dataclasses.fields(PublicRequest)}
    assert not names & {"reporter_phone", "reporter_name", "phone", "email", "payload"}


def test_an_operators_merge_makes_the_merged_reports_duplicates_of_the_kept_incidents_first(
    two_lights, user
):
    a, b = two_lights
    first_a, first_b = a.reports.get().id, b.reports.get().id
    lifecycle.merge(b.tracking_no, a.tracking_no, lifecycle.Request("merge", actor=user("duty")))
    moved = public_requests.get(first_b)
    assert moved.duplicate_of == first_a
    assert moved.tracking_no == a.tracking_no
    assert moved.status == OPEN
    assert public_requests.get(first_a).duplicate_of is None

    lifecycle.unmerge(b.tracking_no, lifecycle.Request("unmerge", actor=user("duty")))
    assert public_requests.get(first_b).duplicate_of is None


def test_search_filters_by_status_and_service_and_masks_the_text(city, report, user):
    lights = report("中央大街路灯不亮，联系 13800138000").report
    noise = report("中央大街工地夜间施工噪音扰民").report
    incident = noise.incident
    daoli = user("daoli")  # 道里区人民政府, where 中央大街's noise goes
    for action, note in (("sign", ""), ("resolve", "已停工")):
        lifecycle.apply(incident.id, lifecycle.Request(action, actor=daoli, note=note))

    closed = public_requests.search(**window(), statuses=[CLOSED])
    assert [r.id for r in closed] == [noise.id]
    assert closed[0].state == "resolved"
    opened = public_requests.search(**window(), statuses=[OPEN], service_codes=["street_lights"])
    assert [r.id for r in opened] == [lights.id]
    assert opened[0].description == "中央大街路灯不亮，联系 138****8000"
    assert public_requests.search(**window(), service_codes=["heating"]) == []
