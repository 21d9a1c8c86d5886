"""Template filters of the consoles: time left to a deadline, an action's name."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from command.consoles.messages import ACTION_LABELS

register = template.Library()


@register.filter
def time_left(left: timedelta | None) -> str:
    """剩余 3小时20分 / 超时 1天2小时 (minutes dropped beyond a day)."""
    if left is None:
        return "—"
    overdue = left < timedelta(0)
    span = -left if overdue else left
    days, rest = divmod(int(span.total_seconds()), 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        text = _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    else:
        text = _("%(h)s小时%(m)s分") % {"h": hours, "m": minutes}
    return (_("超时 %(t)s") if overdue else _("剩余 %(t)s")) % {"t": text}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def rate(value: float | None) -> str:
    """A share as a percentage, or — when there is nothing to divide (or no data source)."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def hours(value: timedelta | float | None) -> str:
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return f"{seconds / 3600:.1f}"
