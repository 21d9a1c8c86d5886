"""Our plain values as the spec's fields, in its order, in the active language: services,
service definitions, requests, discovery."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from command.public_requests import PublicRequest, Service
from integrations.open311 import attributes

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the service list or a definition last changed in code (discovery's changeset); a city
# that edits its categories in the admin should expect clients to refresh on their own.
CHANGESET = "2026-12-05T00:00:00+08:00"
FORMATS = ["text/xml", "application/json"]
SLA = re.compile(r"^(\d+)(h|d|wd)$")


def english() -> bool:
    return (translation.get_language() or "").startswith("en")


def service_name(name: str, name_en: str) -> str:
    return name_en if english() and name_en else name


def service_row(service: Service, groups: dict[str, Service]) -> dict:
    group = groups.get(service.group_code, service)
    return {
        "service_code": service.code,
        "service_name": service_name(service.name, service.name_en),
        "description": _sla(service.sla_routine),
        "metadata": bool(attributes.of(service.code)),
        "type": "realtime",
        "keywords": ", ".join(service.keywords),
        "group": service_name(group.name, group.name_en),
    }


def definition_row(service: Service) -> dict:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": str(a.datatype_description) or None,
                "order": a.order,
                "description": str(a.description),
                "values": [{"key": key, "name": str(name)} for key, name in a.values],
            }
            for a in attributes.of(service.code)
        ],
    }


def request_rows(requests: Sequence[PublicRequest]) -> list[dict]:
    """Each request's fields in the spec's order. The language, time zone and phrases are read
    once for the page: per row they were a third of a 1000-request list's time."""
    english_names = english()
    notice = _("工单号 %(no)s")
    duplicate = _("与请求 %(id)s 重复，一并办理：%(state)s")
    zone = timezone.get_current_timezone()

    def w3_in_zone(when: datetime | None) -> str | None:
        return when.astimezone(zone).isoformat(timespec="seconds") if when else None

    return [
        {
            "service_request_id": str(r.id),
            "status": r.status,
            "status_notes": (
                r.state_label
                if r.duplicate_of is None
                else duplicate % {"id": r.duplicate_of, "state": r.state_label}
            ),
            "service_name": (r.service_name_en if english_names else "") or r.service_name,
            "service_code": r.service_code,
            "description": r.description,
            "agency_responsible": r.agency or None,
            "service_notice": notice % {"no": r.tracking_no},
            "requested_datetime": w3_in_zone(r.requested_at),
            "updated_datetime": w3_in_zone(r.updated_at),
            "expected_datetime": w3_in_zone(r.expected_at),
            "address": r.address or None,
            "address_id": r.address_id or None,
            "zipcode": None,
            "lat": r.lat,
            "long": r.lon,
            "media_url": r.media_url or None,
        }
        for r in requests
    ]


def service_notice(tracking_no: str) -> str:
    return _("工单号 %(no)s") % {"no": tracking_no}


def discovery_row(endpoint_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": _("接口问题请联系市12345热线管理部门的系统管理员。"),
        "key_service": _("提交请求需要接入密钥（api_key），由平台管理员在后台签发。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def _sla(spec: str) -> str:
    match = SLA.match(spec or "")
    if not match:
        return ""
    n, unit = int(match.group(1)), match.group(2)
    period = {
        "h": _("%(n)s 小时"),
        "d": _("%(n)s 天"),
        "wd": _("%(n)s 个工作日"),
    }[unit] % {"n": n}
    return _("一般办理时限：%(period)s") % {"period": period}
