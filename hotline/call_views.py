"""The hotline's JSON endpoints for the operators' console."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command import roles
from command.errors import NotAllowed, NotFound
from command.models import ApiKey
from hotline import screen_pop
from hotline.models import Call


class CallDetail(APIView):
    """GET /hotline/calls/<id>/: the call, its caller's number and earlier reports."""

    @extend_schema(
        responses={
            200: OpenApiResponse(
                description="{id, caller, started_at, status, history: [{tracking_no, "
                "received_at, category, status}]}; caller in full for personal_data.read"
            ),
            401: OpenApiResponse(description="Not authenticated"),
            403: OpenApiResponse(description="Not an operator, duty staff or administrator"),
            404: OpenApiResponse(description="No such call"),
        },
        summary="An incoming call for the operator's screen pop, with the caller's history",
    )
    def get(self, request: Request, call_id: int) -> Response:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is not None and not key.allows(ApiKey.READ):
            raise NotAllowed("This API key lacks the read scope; ask an administrator.")
        if not roles.may(request.user, "hotline.read"):
            raise NotAllowed("Only operators, duty staff and administrators see calls.")
        call = Call.objects.filter(pk=call_id).first()
        if call is None:
            raise NotFound(f"No call {call_id}.")
        personal = roles.may(request.user, "personal_data.read")
        return Response(screen_pop.as_json(call, personal_data=personal))
