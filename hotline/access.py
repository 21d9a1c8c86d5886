"""Who may use the operator console (话务台): operators, duty staff and administrators. Unit
staff and integrators are refused (403), anonymous users sent to sign in (pages) or answered
401 (the console's JSON). Every console view is wrapped by one of the two decorators here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from command import roles
from command.errors import CommandError, TooLarge
from command.models import Role

CONSOLE_ROLES = frozenset({Role.OPERATOR, Role.DUTY_OFFICER, Role.DUTY_LEADER})


def may_use_console(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return roles.role_of(user) in CONSOLE_ROLES or roles.is_administrator(user)


def sees_personal_data(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Operators (and administrators) see callers' numbers in full on their ticket view."""
    return roles.may(user, "personal_data.read")


View = Callable[..., HttpResponse]


def console_page(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_use_console(request.user):
            message = _("话务台只对话务员、值班人员和管理员开放。")
            return render(request, "hotline/refused.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def console_json(view: View) -> View:
    """For the console's JSON endpoints: 401/403 as JSON, domain errors as their 4xx, and the
    body parsed (`request.json`) for POSTs."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return error(401, "not_authenticated", _("请先登录。"))
        if not may_use_console(request.user):
            return error(403, "forbidden", _("话务台只对话务员、值班人员和管理员开放。"))
        try:
            if request.method == "POST":
                request.json = _body(request)
            return view(request, *args, **kwargs)
        except CommandError as exc:
            return error(exc.status, exc.code, exc.message, exc.fields)

    return wrapped


class BadRequest(CommandError):
    code = "invalid"


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except RequestDataTooBig as exc:
        raise TooLarge(_("请求内容太大。")) from exc
    except (ValueError, RecursionError) as exc:
        raise BadRequest(_("请求内容不是有效的 JSON。")) from exc
    if not isinstance(data, dict):
        raise BadRequest(_("请求内容应是一个 JSON 对象。"))
    return data


def error(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": code, "message": str(message), "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
