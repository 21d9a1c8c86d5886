"""Who may do what: a user's role and unit, from their StaffProfile."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from command.models import Role, StaffProfile, Unit

# Roles that see and steer every incident in the city.
CITYWIDE = frozenset({Role.OPERATOR, Role.DUTY_OFFICER, Role.DUTY_LEADER})
DUTY = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> Role | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.DUTY_LEADER
    profile = _profile(user)
    return Role(profile.role) if profile else None


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
