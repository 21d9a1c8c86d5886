"""Who a user is (role and unit from their StaffProfile, administrator or not) and what the role
matrix (command.access_rules) lets them do."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from command import access_rules
from command.access_rules import ADMIN_GROUP, ADMINISTRATOR, ALL, NO
from command.models import Role, StaffProfile, Unit

# Roles that see and steer every incident in the city.
CITYWIDE = frozenset(r for r in Role if access_rules.reach(frozenset({r}), "streams.read") == ALL)
DUTY = access_rules.roles_for("approve_extension")


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> Role | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.DUTY_LEADER
    profile = _profile(user)
    return Role(profile.role) if profile else None


def is_administrator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """A superuser, or a member of the administrators group: manages staff and keys."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object for the request's lifetime, like the profile.
    if not hasattr(user, "_citydesk_admin"):
        user._citydesk_admin = user.groups.filter(name=ADMIN_GROUP).exists()
    return user._citydesk_admin


def actors_of(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[str]:
    """The matrix columns that apply to `user`: their role, and administrator if they are one."""
    role = role_of(user)
    actors = {role} if role is not None else set()
    if is_administrator(user):
        actors.add(ADMINISTRATOR)
    return frozenset(actors)


def reach(user: AbstractBaseUser | AnonymousUser | None, action: str) -> str:
    """How far `user` may take `action` (access_rules.ACTIONS): ALL, UNIT, YES or NO."""
    return access_rules.reach(actors_of(user), action)


def may(user: AbstractBaseUser | AnonymousUser | None, action: str) -> bool:
    return reach(user, action) != NO


def admin_may(user: AbstractBaseUser | AnonymousUser | None, model: str, verb: str) -> bool:
    """Whether the matrix lets `user` view/add/change/delete `model` ("app_label.model")."""
    return access_rules.admin_allows(actors_of(user), model, verb)


def unit_of(user: AbstractBaseUser | AnonymousUser | None) -> Unit | None:
    if user is None or not user.is_authenticated:
        return None
    profile = _profile(user)
    return profile.unit if profile else None


def unit_scope(unit: Unit) -> list[int]:
    """The unit and all its sub-units (a parent sees what it passed on)."""
    ids, frontier = [unit.id], [unit.id]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.extend(frontier)
    return ids


def _profile(user: AbstractBaseUser) -> StaffProfile | None:
    # Cached on the user object for the request's lifetime.
    if not hasattr(user, "_citydesk_profile"):
        user._citydesk_profile = (
            StaffProfile.objects.select_related("unit").filter(user=user).first()
        )
    return user._citydesk_profile
