from django.urls import path, register_converter

from command.api import views


class TrackingNo:
    """A tracking number's characters (20261122-0042). Anything else is a 404 before it reaches
    a query: PostgreSQL refuses NUL in text, so `incidents/%00` was a 500 there."""

    regex = "[0-9A-Za-z-]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TrackingNo, "tracking_no")

urlpatterns = [
    path("reports", views.ReportCreate.as_view(), name="report-create"),
    path("reports/<int:report_id>/split", views.ReportSplit.as_view(), name="report-split"),
    path("incidents", views.IncidentList.as_view(), name="incident-list"),
    path("events", views.EventList.as_view(), name="event-list"),
    path(
        "incidents/<tracking_no:tracking_no>",
        views.IncidentDetail.as_view(),
        name="incident-detail",
    ),
    path(
        "incidents/<tracking_no:tracking_no>/transitions",
        views.IncidentTransition.as_view(),
        name="incident-transition",
    ),
    path(
        "incidents/<tracking_no:tracking_no>/merge",
        views.IncidentMerge.as_view(),
        name="incident-merge",
    ),
    path(
        "incidents/<tracking_no:tracking_no>/unmerge",
        views.IncidentUnmerge.as_view(),
        name="incident-unmerge",
    ),
]
