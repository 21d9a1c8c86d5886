"""The duty room's API: who is on duty now (or at `?at=`), for other systems and the hotline."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command.errors import InvalidRequest, NotAllowed
from duty import roster
from duty.access import may_see_who


class PersonOut(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()


class ShiftOut(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class OnDutyOut(serializers.Serializer):
    at = serializers.DateTimeField()
    shifts = ShiftOut(many=True)
    leader = PersonOut(allow_null=True)
    officers = PersonOut(many=True)


def _person(user: AbstractBaseUser) -> dict:
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


class OnDutyNow(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("at", str, description="ISO time; default now")],
        responses={200: OnDutyOut},
        summary="Who is on duty: the shifts running, the leader on duty, the officers",
    )
    def get(self, request: Request) -> Response:
        if not may_see_who(request.user):
            raise NotAllowed("Your role may not see the duty roster.")
        at = timezone.now()
        if request.query_params.get("at"):
            try:
                at = datetime.fromisoformat(request.query_params["at"])
            except ValueError:
                raise InvalidRequest(
                    "at: not an ISO time.", {"at": ["Give e.g. 2026-12-05T21:00+08:00."]}
                ) from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        on = roster.on_duty(at)
        return Response(
            {
                "at": timezone.localtime(at).isoformat(),
                "shifts": [
                    {
                        "id": s.pk,
                        "date": s.date.isoformat(),
                        "kind": s.kind.name,
                        "starts_at": timezone.localtime(s.starts_at).isoformat(),
                        "ends_at": timezone.localtime(s.ends_at).isoformat(),
                    }
                    for s in on.shifts
                ],
                "leader": _person(on.leader) if on.leader else None,
                "officers": [_person(o) for o in on.officers],
            }
        )
