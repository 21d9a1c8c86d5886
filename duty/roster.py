"""Rosters (排班): shifts per date, the leader on duty and the officers of each, swaps, and who
is on duty at a given moment. Times are the city's (Asia/Shanghai); a night shift runs past
midnight and belongs to the date it starts on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from command.models import Role
from command.roles import role_of
from duty.errors import InvalidRoster
from duty.models import LogEntry, LogKind, Shift, ShiftKind, Swap, SwapRole


@dataclass(frozen=True)
class OnDuty:
    """Who is on duty at `at`: the shifts running then (normally one), their leader and officers."""

    at: datetime
    shifts: list[Shift] = field(default_factory=list)
    leaders: list[AbstractBaseUser] = field(default_factory=list)
    officers: list[AbstractBaseUser] = field(default_factory=list)

    @property
    def leader(self) -> AbstractBaseUser | None:
        return self.leaders[0] if self.leaders else None

    @property
    def shift(self) -> Shift | None:
        return self.shifts[0] if self.shifts else None


def bounds(kind: ShiftKind, day: date) -> tuple[datetime, datetime]:
    """A shift's start and end as aware times: `day` at the kind's local start, plus its hours."""
    start = timezone.make_aware(datetime.combine(day, kind.start), timezone.get_default_timezone())
    return start, start + timedelta(hours=kind.hours)


def running(at: datetime) -> list[Shift]:
    """The shifts running at `at` (start included, end excluded), earliest first."""
    return list(
        Shift.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("kind", "leader")
        .prefetch_related("officers")
        .order_by("starts_at", "id")
    )


def on_duty(at: datetime | None = None) -> OnDuty:
    at = at or timezone.now()
    shifts = running(at)
    leaders = [s.leader for s in shifts if s.leader is not None]
    officers = _unique(o for s in shifts for o in s.officers.order_by("username"))
    return OnDuty(at=at, shifts=shifts, leaders=_unique(leaders), officers=officers)


def next_shift(after: Shift) -> Shift | None:
    """The shift that takes over from `after`: the first starting at or after its end."""
    return (
        Shift.objects.filter(starts_at__gte=after.ends_at - timedelta(minutes=1))
        .exclude(pk=after.pk)
        .order_by("starts_at", "id")
        .first()
    )


def shifts_between(first: date, last: date) -> list[Shift]:
    return list(
        Shift.objects.filter(date__gte=first, date__lte=last)
        .select_related("kind", "leader")
        .prefetch_related("officers")
        .order_by("starts_at", "id")
    )


def set_shift(
    day: date,
    kind: ShiftKind,
    leader: AbstractBaseUser | None,
    officers: Iterable[AbstractBaseUser],
) -> Shift:
    """Create or replace the shift `kind` on `day` with these people (checked for their role)."""
    officers = list(officers)
    _check_people(leader, officers, f"{day} {kind.name}")
    starts_at, ends_at = bounds(kind, day)
    with transaction.atomic():
        shift, _ = Shift.objects.update_or_create(
            date=day, kind=kind, defaults={"starts_at": starts_at, "ends_at": ends_at}
        )
        shift.leader = leader
        shift.save(update_fields=["leader"])
        shift.officers.set(officers)
    return shift


def swap(
    shift: Shift,
    role: str,
    replaced: AbstractBaseUser,
    replaced_by: AbstractBaseUser,
    reason: str,
    by: AbstractBaseUser,
    now: datetime | None = None,
) -> Swap:
    """`replaced_by` takes `replaced`'s place on `shift` (换班); the swap and a log entry stay."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidRoster(_("换班需要填写原因。"), {"reason": [_("请填写换班原因。")]})
    if role not in SwapRole.values:
        raise InvalidRoster(_("未知的岗位。"), {"role": [_("请选择值班员或带班领导。")]})
    with transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if role == SwapRole.LEADER:
            if shift.leader_id != replaced.pk:
                raise InvalidRoster(_("%(user)s 不是该班次的带班领导。") % {"user": replaced})
            _check_people(replaced_by, [], str(shift))
            shift.leader = replaced_by
            shift.save(update_fields=["leader"])
        else:
            if not shift.officers.filter(pk=replaced.pk).exists():
                raise InvalidRoster(_("%(user)s 不在该班次的值班员中。") % {"user": replaced})
            _check_people(None, [replaced_by], str(shift))
            shift.officers.remove(replaced)
            shift.officers.add(replaced_by)
        made = Swap.objects.create(
            shift=shift,
            role=role,
            replaced=replaced,
            replaced_by=replaced_by,
            reason=reason.strip(),
            recorded_at=now,
            recorded_by=by,
        )
        LogEntry.objects.create(
            shift=shift,
            at=now,
            kind=LogKind.SWAP,
            author=by,
            text=f"换班：{shift} {SwapRole(role).label} {replaced.get_username()} → "
            f"{replaced_by.get_username()}（{reason.strip()}）",
        )
    return made


def kind_named(name: str) -> ShiftKind:
    """A shift kind by its code or its name (白班, day)."""
    found = (
        ShiftKind.objects.filter(code=name).first() or ShiftKind.objects.filter(name=name).first()
    )
    if found is None:
        known = "、".join(ShiftKind.objects.values_list("name", flat=True))
        raise InvalidRoster(
            _("未知的班次“%(name)s”（可选：%(known)s）。") % {"name": name, "known": known}
        )
    return found


def user_named(username: str) -> AbstractBaseUser:
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise InvalidRoster(_("没有启用的账号“%(user)s”。") % {"user": username})
    return found


def _check_people(
    leader: AbstractBaseUser | None, officers: list[AbstractBaseUser], where: str
) -> None:
    if leader is not None and role_of(leader) != Role.DUTY_LEADER:
        raise InvalidRoster(
            _("%(where)s：%(user)s 不是带班领导。") % {"where": where, "user": leader}
        )
    for officer in officers:
        if role_of(officer) not in (Role.DUTY_OFFICER, Role.DUTY_LEADER):
            raise InvalidRoster(
                _("%(where)s：%(user)s 不是值班人员。") % {"where": where, "user": officer}
            )


def _unique(users: Iterable[AbstractBaseUser]) -> list[AbstractBaseUser]:
    seen, out = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_default_timezone())


DUTY_PEOPLE = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})
