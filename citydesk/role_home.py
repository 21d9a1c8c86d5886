"""What a signed-in user's home page offers: who they are, what their role does, and the parts of
CityDesk they may use (live today, or still to come). Plain values; citydesk.views renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from command import roles
from command.models import Role


@dataclass(frozen=True)
class Part:
    """A page of CityDesk: `path` is a link when `live`, else where it will be once built."""

    name: Promise
    path: str
    purpose: Promise
    live: bool


@dataclass(frozen=True)
class Identity:
    """What the page header says about the signed-in user."""

    name: str
    role_label: Promise | None  # None: the account has no role yet
    unit_name: str | None


@dataclass(frozen=True)
class Home:
    identity: Identity
    role: Role | None
    summary: Promise | None
    parts: list[Part]

    @property
    def live(self) -> list[Part]:
        return [part for part in self.parts if part.live]

    @property
    def coming(self) -> list[Part]:
        return [part for part in self.parts if not part.live]


# Each role's parts of CityDesk: live once served, else named so the page says what is coming.
HOTLINE = Part(_("话务台"), "/hotline/", _("接听12345来电，登记群众诉求，查重合并。"), live=True)
DISPATCH = Part(
    _("派单"),
    "/dispatch/",
    _("把待派单事件派给承办单位，设定办理时限；处理退回和延期申请，督办超时工单。"),
    live=True,
)
UNITS = Part(
    _("单位工作台"), "/units/", _("签收本单位的工单，办理、反馈，申请延期或退回。"), live=True
)
PERFORMANCE = Part(
    _("办理绩效"),
    "/performance/",
    _("各单位按时签收、按时办结、退回和延期情况，导出报表。"),
    live=True,
)
DUTY = Part(
    _("值班室"),
    "/duty/",
    _("值班台（地图和告警队列）、排班、值班日志、交接班，重大事件和突发聚集告警。"),
    live=True,
)
ON_DUTY = Part(_("当前值班"), "/duty/now/", _("查看当前班次的带班领导和值班员。"), live=True)
DASHBOARDS = Part(_("大屏"), "/dashboards/city/", _("全市事件态势、热点和办理时效。"), live=True)
UNIT_DASHBOARD = Part(
    _("本单位大屏"), "/dashboards/unit/", _("本单位事件态势、办理时效和超时工单。"), live=True
)

# Each role's own parts, live or still to come; the live ones head the page.
PARTS_BY_ROLE: dict[Role, tuple[Part, ...]] = {
    Role.OPERATOR: (HOTLINE, ON_DUTY, DASHBOARDS),
    Role.DUTY_OFFICER: (HOTLINE, DISPATCH, DUTY, DASHBOARDS, PERFORMANCE),
    Role.DUTY_LEADER: (HOTLINE, DISPATCH, DUTY, DASHBOARDS, PERFORMANCE),
    Role.UNIT_STAFF: (UNITS, UNIT_DASHBOARD, PERFORMANCE),
    Role.INTEGRATOR: (),
}

SUMMARY_BY_ROLE: dict[Role, Promise] = {
    Role.OPERATOR: _("您负责受理：接听12345热线来电，登记群众诉求，系统查重合并后转交派单。"),
    Role.DUTY_OFFICER: _(
        "您负责派单和跟踪：把待派单事件派给承办单位，盯住办理时限，处理延期和退回申请。"
    ),
    Role.DUTY_LEADER: _("您负责带班督办：掌握全市事件态势，督办超时和重大事件，审批延期和退回。"),
    Role.UNIT_STAFF: _("您负责本单位的工单：签收、办理、反馈结果，需要时申请延期或退回。"),
    Role.INTEGRATOR: _("本账号供外部系统通过接口提交诉求，不使用页面。"),
}

API_DOCS = Part(
    _("接口文档（OpenAPI）"), "/api/docs/", _("对接系统和开发人员查阅接口。"), live=True
)
ADMIN = Part(_("管理后台"), "/admin/", _("维护单位、分类、节假日和人员角色。"), live=True)


def identity_of(user: AbstractBaseUser) -> Identity:
    unit = roles.unit_of(user)
    name = user.get_full_name() or user.get_username()
    return Identity(name=name, role_label=_role_label(user), unit_name=unit.name if unit else None)


def home_for(user: AbstractBaseUser, *, probe: bool) -> Home:
    """The home page of a signed-in `user`; `probe`: the real-time probe page is served
    (DEBUG only), so it is offered as a live part."""
    role = roles.role_of(user)
    own = PARTS_BY_ROLE[role] if role is not None else ()
    if roles.unit_of(user) is None:
        # Unit staff without a unit have no unit dashboard to open (it would refuse them).
        own = tuple(part for part in own if part is not UNIT_DASHBOARD)
    parts: list[Part] = [part for part in own if part.live]
    if role is not None:
        parts += _probe(user, role) if probe else []
        parts.append(API_DOCS)
    if user.is_staff:
        parts.append(ADMIN)
    parts += [part for part in own if not part.live]
    return Home(
        identity=identity_of(user),
        role=role,
        summary=SUMMARY_BY_ROLE[role] if role else None,
        parts=parts,
    )


def _role_label(user: AbstractBaseUser) -> Promise | None:
    if user.is_superuser:
        return _("系统管理员")
    role = roles.role_of(user)
    return role.label if role else None


def _probe(user: AbstractBaseUser, role: Role) -> list[Part]:
    """The probe follows the streams the role may read: the whole city, or the user's unit."""
    if role in roles.CITYWIDE:
        streams = "all"
    else:
        unit = roles.unit_of(user)
        if role != Role.UNIT_STAFF or unit is None:
            return []
        streams = f"unit:{unit.id}"
    purpose = _("实时查看事件推送（演示和测试用）。")
    return [Part(_("实时事件探针"), f"/realtime/probe/?streams={streams}", purpose, live=True)]
