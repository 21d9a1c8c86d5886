"""/dispatch/: the dispatch desk (command.consoles.dispatch)."""

from django.urls import path, re_path

from command.consoles import dispatch

urlpatterns = [
    path("", dispatch.desk, name="dispatch"),
    path("lists/", dispatch.lists, name="dispatch-lists"),
    path("alerts/<int:alert_id>/acknowledge", dispatch.acknowledge, name="dispatch-acknowledge"),
    # A tracking number's characters only (PostgreSQL refuses NUL in text: never a 500).
    re_path(
        r"^(?P<tracking_no>[0-9A-Za-z-]{1,20})/(?P<action>[a-z_]{1,32})$",
        dispatch.act,
        name="dispatch-act",
    ),
]
