"""Who may open which dashboard: the city-wide ones (desktop and wall) for the roles that follow
the whole city (operators, duty staff), the unit one for unit staff, scoped to their unit and
its sub-units. Asked for the page and for every Dash endpoint (layout, callbacks, assets).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from command import roles
from command.models import Role
from dashboards.queries import CITY, Scope

NO_DASHBOARD = _("您的角色没有大屏。")


class Audience(Enum):
    CITY = "city"
    UNIT = "unit"


class Refused(Exception):
    """401 (not signed in) or 403 (signed in, not for this dashboard), with the reason."""

    def __init__(self, status: int, message: Promise) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Viewer:
    scope: Scope
    # The event streams the page follows (command.realtime.access checks them again).
    streams: tuple[str, ...]
    unit_name: str = ""


def viewer_for(user: AbstractBaseUser | AnonymousUser | None, audience: Audience) -> Viewer:
    """What `user` sees on `audience`'s dashboard; raises Refused otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Refused(401, _("请先登录。"))
    role = roles.role_of(user)
    if audience is Audience.CITY:
        if role in roles.CITYWIDE:
            return Viewer(CITY, ("all",))
        raise Refused(403, _("全市大屏仅供话务员和值班人员使用；承办单位请使用本单位大屏。"))
    unit = roles.unit_of(user) if role == Role.UNIT_STAFF else None
    if unit is None:
        raise Refused(403, _("单位大屏仅供已分配单位的承办单位人员使用。"))
    return Viewer(Scope(frozenset(roles.unit_scope(unit))), (f"unit:{unit.id}",), unit.name)


def home_for(user: AbstractBaseUser | AnonymousUser | None) -> Audience | None:
    """The dashboard /dashboards/ sends `user` to, if any."""
    for audience in (Audience.CITY, Audience.UNIT):
        try:
            viewer_for(user, audience)
        except Refused:
            continue
        return audience
    return None
