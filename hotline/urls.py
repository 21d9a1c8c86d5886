"""The operator console, mounted at /hotline/ (namespace `hotline`)."""

from django.urls import path

from hotline import call_views, views

app_name = "hotline"
urlpatterns = [
    path("", views.console, name="console"),
    path("tickets/<str:tracking_no>/", views.ticket, name="ticket"),
    path("api/calls", views.log_call, name="log-call"),
    path("api/suggest", views.suggest, name="suggest"),
    path("api/history", views.caller_history, name="history"),
    path("api/search", views.find, name="search"),
    path("api/recent", views.recent, name="recent"),
    path("api/districts", views.districts, name="districts"),
    # The screen pop (hotline/screen_pop.py): a call by id, with its caller's history.
    path("calls/<int:call_id>/", call_views.CallDetail.as_view(), name="call"),
]
