"""Who may use the duty room: duty officers, leaders on duty and administrators; operators may
see who is on duty; everyone else is refused (403), the anonymous sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from command.models import Role
from command.roles import is_administrator, role_of

DUTY_ROLES = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})


def may_use(user: AbstractBaseUser) -> bool:
    return role_of(user) in DUTY_ROLES or is_administrator(user)


def may_see_who(user: AbstractBaseUser) -> bool:
    return may_use(user) or role_of(user) == Role.OPERATOR


def _guard(check: Callable[[AbstractBaseUser], bool]):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied("值班室仅限值班人员、带班领导和管理员使用。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


duty_only = _guard(may_use)
who_is_on_duty = _guard(may_see_who)
