"""The v1 API: thin views that parse, call one domain function and render."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command import intake, lifecycle, roles
from command.access_rules import ALL, NO
from command.api import schema  # noqa: F401  (registers the API key scheme)
from command.api import serializers as s
from command.errors import NotAllowed, NotFound
from command.intake import grouped
from command.intake.split import split_report
from command.models import ApiKey, Assignment, Incident
from command.realtime import access, event_log

ERRORS = {
    code: OpenApiResponse(description=text)
    for code, text in [
        (400, "Invalid input: {error, message, fields}"),
        (401, "Not authenticated"),
        (403, "Not allowed for your role or unit, or the API key lacks the scope"),
        (404, "Not found"),
        (409, "Conflict: the incident's state does not allow this (someone acted first)"),
        (429, "The API key is over its rate limit (requests a minute); see Retry-After"),
    ]
}


class ReportCreate(APIView):
    @extend_schema(
        request=s.ReportIn,
        responses={201: s.ReportAccepted, 200: s.ReportAccepted, **ERRORS},
        summary="Submit a report (any source); idempotent on (source, external_id)",
    )
    def post(self, request: Request) -> Response:
        _allowed(request, "reports.submit", ApiKey.INTAKE)
        data = _valid(s.ReportIn, request.data)
        # Gathered with the reports other requests hand over meanwhile: one transaction for all.
        result = grouped.submit(_report_in(data, request.data))
        body = {
            "report_id": result.report.id,
            "merged": result.merged,
            "incident": s.IncidentOut(result.incident).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)


class IncidentList(APIView):
    @extend_schema(
        parameters=[s.IncidentQuery],
        responses={200: s.IncidentOut(many=True), **ERRORS},
        summary="Incidents, newest first, filtered and paginated",
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.IncidentQuery, request.query_params)
        incidents = _filter(_visible(request), query)
        page, size = query["page"], query["page_size"]
        total = incidents.count()
        rows = incidents.select_related("category", "district", "unit", "merged_into")
        rows = rows[(page - 1) * size : page * size]
        return Response(
            {
                "count": total,
                "page": page,
                "page_size": size,
                "results": s.IncidentOut(rows, many=True, context=_readers(request)).data,
            }
        )


class IncidentDetail(APIView):
    @extend_schema(responses={200: s.IncidentDetail, **ERRORS}, summary="One incident")
    def get(self, request: Request, tracking_no: str) -> Response:
        incident = _get(request, tracking_no)
        return Response(s.IncidentDetail(incident, context=_readers(request)).data)


class IncidentTransition(APIView):
    @extend_schema(
        request=s.TransitionIn,
        responses={200: s.IncidentOut, **ERRORS},
        summary="A lifecycle action: dispatch, sign, start, return, resolve, close, reopen, "
        "request_/approve_/reject_extension",
    )
    def post(self, request: Request, tracking_no: str) -> Response:
        incident = _get(request, tracking_no)
        data = _valid(s.TransitionIn, request.data)
        asked = _asked(data["action"], request, data, unit_id=data["unit_id"], until=data["until"])
        done = lifecycle.apply(incident.id, asked)
        return Response(s.IncidentOut(done, context=_readers(request)).data)


class IncidentMerge(APIView):
    @extend_schema(
        request=s.MergeIn,
        responses={200: s.IncidentOut, **ERRORS},
        summary="Merge this incident into another (operator override)",
    )
    def post(self, request: Request, tracking_no: str) -> Response:
        _allowed(request, "merge", ApiKey.READ)
        data = _valid(s.MergeIn, request.data)
        target = lifecycle.merge(tracking_no, data["into"], _asked("merge", request, data))
        return Response(s.IncidentOut(target, context=_readers(request)).data)


class IncidentUnmerge(APIView):
    @extend_schema(
        request=s.CorrectionIn,
        responses={200: s.IncidentOut, **ERRORS},
        summary="Undo a merge of this incident",
    )
    def post(self, request: Request, tracking_no: str) -> Response:
        _allowed(request, "unmerge", ApiKey.READ)
        data = _valid(s.CorrectionIn, request.data)
        restored = lifecycle.unmerge(tracking_no, _asked("unmerge", request, data))
        return Response(s.IncidentOut(restored, context=_readers(request)).data)


class ReportSplit(APIView):
    @extend_schema(
        request=s.CorrectionIn,
        responses={201: s.IncidentOut, **ERRORS},
        summary="Split a report out into a new incident of its own",
    )
    def post(self, request: Request, report_id: int) -> Response:
        _allowed(request, "split", ApiKey.READ)
        data = _valid(s.CorrectionIn, request.data)
        incident = split_report(report_id, _asked("split", request, data))
        body = s.IncidentOut(incident, context=_readers(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class EventList(APIView):
    @extend_schema(
        parameters=[s.EventQuery],
        responses={200: s.EventPage, **ERRORS},
        summary="Events after a seq, for a client that missed frames (resync)",
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.EventQuery, request.query_params)
        _allowed(request, "streams.read", ApiKey.READ)
        reader = access.Reader.of(request.user)
        try:
            keys = [reader.authorise(name) for name in query["stream"]]
        except access.StreamRefused as refusal:
            raise NotAllowed(str(refusal)) from refusal
        page = event_log.after(query["after"], keys, query["limit"])
        return Response(page)


# --- helpers ---------------------------------------------------------------------------------


def _asked(action: str, request: Request, data: dict, **fields) -> lifecycle.Request:
    """The lifecycle request a view makes of what its caller sent: who, why, what they saw."""
    return lifecycle.Request(
        action,
        actor=request.user,
        note=data["note"],
        expected_version=data["version"],
        **fields,
    )


def _valid(serializer_class: type, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _report_in(data: dict, raw: dict) -> intake.ReportIn:
    loc = data["location"]
    reporter = data["reporter"] or {}
    return intake.ReportIn(
        source=data["source"],
        external_id=data["external_id"],
        text=data["text"],
        received_at=data["received_at"],
        category=data["category"],
        priority=data["priority"],
        location=intake.Location(loc["lat"], loc["lon"], loc["datum"]) if loc else None,
        address=data["address"],
        reporter_phone=reporter.get("phone", ""),
        reporter_name=reporter.get("name", ""),
        payload=raw,
    )


def _allowed(request: Request, action: str, scope: str) -> str:
    """How far the role matrix lets this request take `action` (access_rules.ACTIONS); 403 if
    not at all, or if it came with an API key that lacks `scope`."""
    key = request.auth if isinstance(request.auth, ApiKey) else None
    if key is not None and not key.allows(scope):
        raise NotAllowed(f"This API key lacks the {scope} scope; ask an administrator.")
    reach = roles.reach(request.user, action)
    if reach == NO:
        raise NotAllowed(f"Your role may not do this ({action}); ask an administrator.")
    return reach


def _readers(request: Request) -> dict:
    """Serializer context: whether this reader sees personal data in full (the matrix)."""
    return {"personal_data": roles.may(request.user, "personal_data.read")}


def _visible(request: Request) -> QuerySet[Incident]:
    """What the matrix lets the reader see: every incident, or those assigned to their unit and
    sub-units and not taken from them since (returned, or re-dispatched elsewhere)."""
    if _allowed(request, "incidents.read", ApiKey.READ) == ALL:
        return Incident.objects.all()
    unit = roles.unit_of(request.user)
    if unit is None:
        raise NotAllowed("Your account has no unit; ask an administrator.")
    held = Assignment.objects.filter(unit_id__in=roles.unit_scope(unit)).exclude(
        status__in=access.LOST_ACCESS
    )
    return Incident.objects.filter(assignments__in=held).distinct()


def _get(request: Request, tracking_no: str) -> Incident:
    incident = (
        _visible(request)
        .select_related("category", "district", "unit", "merged_into")
        .filter(tracking_no=tracking_no)
        .first()
    )
    if incident is None:
        raise NotFound(f"No incident {tracking_no} that you may see.")
    return incident


def _filter(incidents: QuerySet[Incident], q: dict) -> QuerySet[Incident]:
    if q.get("status"):
        incidents = incidents.filter(status__in=q["status"])
    if q.get("district"):
        incidents = incidents.filter(district__code=q["district"])
    if q.get("unit"):
        incidents = incidents.filter(unit_id=q["unit"])
    if q.get("category"):
        incidents = incidents.filter(category__code=q["category"])
    if q.get("since"):
        incidents = incidents.filter(opened_at__gte=q["since"])
    if q.get("bbox"):
        min_lon, min_lat, max_lon, max_lat = q["bbox"]
        incidents = incidents.filter(
            lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
        )
    return incidents.order_by("-opened_at", "-id")
