"""Logging a 12345 call: the console's form, checked, becomes a `ReportIn` of source `hotline`
and goes through `command.intake` (a new report, merged or opened by intake's own decision, or
attached to the open incident the operator chose). Nothing here creates or merges incidents.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from command import intake
from command.errors import InvalidReport
from command.models import Category, Priority, Report
from hotline import replies

SOURCE = "hotline"
# The console makes one key per form it shows: a call saved twice (a double Enter, a retry after
# a lost answer) is stored once, as intake is idempotent on (source, external id).
CALL_KEY_RE = re.compile(r"^[0-9A-Za-z-]{8,64}$")
TRACKING_NO_RE = re.compile(r"^\d{8}-\d{1,6}$")
MAX_NAME = 64
MAX_ADDRESS = 255


@dataclass(frozen=True)
class CallIn:
    """A call as the operator logged it."""

    key: str
    phone: str
    text: str
    name: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    category: str = ""
    priority: str = ""
    attach_to: str = ""  # a tracking number: the operator's choice among the duplicates
    call_id: str = ""  # the voice webhook's call, when the form was filled from a screen pop

    def report(self, operator: AbstractBaseUser) -> intake.ReportIn:
        location = None if self.lat is None else intake.Location(self.lat, self.lon, "wgs84")
        payload: dict[str, Any] = {"operator": operator.get_username(), "operator_id": operator.pk}
        if self.call_id:
            payload["call_id"] = self.call_id
        return intake.ReportIn(
            source=SOURCE,
            external_id=f"console-{self.key}",
            text=self.text,
            category=self.category,
            priority=self.priority,
            location=location,
            address=self.address,
            reporter_phone=self.phone,
            reporter_name=self.name,
            payload=payload,
        )


def parse_call(data: dict[str, Any]) -> CallIn:
    """The console's JSON body as a CallIn; raises InvalidReport naming each bad field (intake
    checks the text, the phone's form and the point's range again)."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(str(message))

    def text(name: str, limit: int = 4000) -> str:
        value = data.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            bad(name, _("应为文字。"))
            return ""
        if len(value) > limit:
            bad(name, _("最多 %(limit)d 个字。") % {"limit": limit})
        return value.strip()

    key = text("call_key", 64)
    if not CALL_KEY_RE.match(key):
        bad("call_key", _("缺少表单编号，请刷新页面后重试。"))
    phone = text("phone", 32)
    if not phone:
        bad("phone", _("请填写来电号码。"))
    category = text("category", 48)
    if category and not Category.objects.filter(code=category).exists():
        bad("category", _("未知的分类。"))
    priority = text("priority", 16)
    if priority and priority not in Priority.values:
        bad("priority", _("未知的紧急程度。"))
    attach_to = text("attach_to", 20)
    if attach_to and not TRACKING_NO_RE.match(attach_to):
        bad("attach_to", _("工单编号格式不对。"))
    lat, lon = point(data, bad)
    call = CallIn(
        key=key,
        phone=phone,
        text=text("text"),
        name=text("name", MAX_NAME),
        address=text("address", MAX_ADDRESS),
        lat=lat,
        lon=lon,
        category=category,
        priority=priority,
        attach_to=attach_to,
        call_id=text("call_id", 64),
    )
    if not call.text:
        bad("text", _("请填写诉求内容。"))
    if errors:
        raise InvalidReport(_("来电登记有误，请检查标出的项目。"), errors)
    return call


def point(data: dict[str, Any], bad) -> tuple[float | None, float | None]:
    """`lat` and `lon` from a JSON body: both numbers, or both absent."""
    lat, lon = data.get("lat"), data.get("lon")
    if lat is None and lon is None:
        return None, None
    numbers = []
    for value in (lat, lon):
        if isinstance(value, int | float) and not isinstance(value, bool):
            with contextlib.suppress(OverflowError):  # an integer of hundreds of digits
                numbers.append(float(value))
    if len(numbers) != 2 or not all(math.isfinite(v) for v in numbers):
        bad("location", _("位置应是一对经纬度数字。"))
        return None, None
    lat, lon = numbers
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        bad("location", _("经纬度超出范围。"))
        return None, None
    return lat, lon


def log_call(
    call: CallIn, operator: AbstractBaseUser, now: datetime | None = None
) -> intake.IntakeResult:
    """Store the call through intake: attached to `call.attach_to` when the operator chose a
    duplicate, otherwise merged or opened as intake decides. Idempotent on the call's key."""
    report = call.report(operator)
    with transaction.atomic():
        if call.attach_to:
            result = intake.attach(report, call.attach_to, actor=operator, now=now)
        else:
            result = intake.submit(report, now=now)
        # The receipt SMS with the tracking number, queued with the report (sent after the
        # commit), for new reports only: a call saved twice is texted once.
        if result.created:
            replies.send_receipt(result.report)
    return result


def recent_calls(operator: AbstractBaseUser, limit: int = 20) -> list[Report]:
    """The calls this operator logged, newest first."""
    return list(
        Report.objects.select_related("source", "incident__category", "incident__district")
        .filter(source__code=SOURCE, payload__operator_id=operator.pk)
        .order_by("-received_at", "-id")[:limit]
    )
