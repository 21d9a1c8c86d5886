from django.urls import path, register_converter

from command.api import views
from command.url_converters import TrackingNo

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
