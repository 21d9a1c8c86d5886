"""The attributes our service definitions ask for, and what a POST's answers to them mean.

Only where an answer changes the handling or helps the unit on site: someone trapped in a lift
makes it a major case (2 h), damage that blocks traffic an urgent one; for heating the floor and
the room's temperature (Heilongjiang's heating rules set 18 °C) go to the unit with the text.
Every other category has none (metadata false).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from integrations.open311.render import Open311Error

PRIORITY_ORDER = ("", "routine", "urgent", "major")
MAX_STRING = 200


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # the spec's: singlevaluelist or number here
    required: bool
    order: int
    description: str  # lazily translated
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for a singlevaluelist
    minimum: float | None = None
    maximum: float | None = None
    label: str = ""  # how the answer reads in the report's text (Chinese)
    priority_if: Mapping[str, str] | None = None  # answer key -> the priority it implies

    def value_name(self, key: str) -> str:
        return str(dict(self.values).get(key, key))


YES_NO = (("yes", _("是")), ("no", _("否")))

ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "elevator": (
        Attribute(
            code="people_trapped",
            datatype="singlevaluelist",
            required=True,
            order=1,
            description=_("电梯里有人被困吗？"),
            values=YES_NO,
            label=_("有人被困"),
            priority_if={"yes": "major"},
        ),
    ),
    "heating": (
        Attribute(
            code="floor",
            datatype="number",
            required=False,
            order=1,
            description=_("所在楼层"),
            datatype_description=_("整数，地下室填负数"),
            minimum=-5,
            maximum=200,
            label=_("楼层"),
        ),
        Attribute(
            code="indoor_temperature",
            datatype="number",
            required=False,
            order=2,
            description=_("室内温度（℃）"),
            datatype_description=_("摄氏度，可带一位小数"),
            minimum=-40,
            maximum=40,
            label=_("室温（℃）"),
        ),
    ),
}
_TRAFFIC = Attribute(
    code="affects_traffic",
    datatype="singlevaluelist",
    required=False,
    order=1,
    description=_("是否影响车辆或行人通行？"),
    values=YES_NO,
    label=_("影响通行"),
    priority_if={"yes": "urgent"},
)
ATTRIBUTES["road_damage"] = (_TRAFFIC,)
ATTRIBUTES["manhole_cover"] = (_TRAFFIC,)


def of(service_code: str) -> tuple[Attribute, ...]:
    return ATTRIBUTES.get(service_code, ())


@dataclass(frozen=True)
class Answers:
    """A POST's attribute answers, checked: what they add to the text, the priority they imply,
    and the answers themselves (kept in the report's payload)."""

    lines: tuple[str, ...]
    priority: str
    given: dict[str, str]


def read(service_code: str, given: Mapping[str, Sequence[str]]) -> Answers:
    """Check `given` (attribute code -> the values sent) against the service's definition."""
    defined = {a.code: a for a in of(service_code)}
    problems = [
        f"attribute[{code}]: this service has no such attribute."
        for code in given
        if code not in defined
    ]
    values: dict[str, str] = {}
    for attribute in sorted(defined.values(), key=lambda a: a.order):
        sent = [v.strip() for v in given.get(attribute.code, ()) if v.strip()]
        problem = _check(attribute, sent)
        if problem:
            problems.append(f"attribute[{attribute.code}]: {problem}")
        elif sent:
            values[attribute.code] = sent[0]
    if problems:
        raise Open311Error(400, *problems)
    return _answers([defined[code] for code in values], values)


def _check(attribute: Attribute, sent: list[str]) -> str:
    if not sent:
        return "required." if attribute.required else ""
    if len(sent) > 1:
        return "give one value."
    value = sent[0]
    if attribute.datatype == "singlevaluelist":
        keys = [key for key, _name in attribute.values]
        return "" if value in keys else f"choose one of: {', '.join(keys)}."
    return _check_number(attribute, value)


def _check_number(attribute: Attribute, value: str) -> str:
    if len(value) > MAX_STRING:
        return "not a number."
    try:
        number = float(value)
    except ValueError:
        return "not a number."
    if not math.isfinite(number):
        return "not a number."
    low, high = attribute.minimum, attribute.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        return f"between {low:g} and {high:g}."
    return ""


def _answers(attributes: list[Attribute], values: dict[str, str]) -> Answers:
    priority = ""
    # The text is the operators' and the unit's to read: Chinese, whatever the client's locale.
    with translation.override("zh-hans"):
        lines = []
        for attribute in attributes:
            value = values[attribute.code]
            shown = attribute.value_name(value) if attribute.values else value
            lines.append(f"{attribute.label}：{shown}")
            implied = (attribute.priority_if or {}).get(value, "")
            if PRIORITY_ORDER.index(implied) > PRIORITY_ORDER.index(priority):
                priority = implied
    return Answers(tuple(lines), priority, values)
