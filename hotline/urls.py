"""/hotline/: the operators' console's endpoints."""

from django.urls import path

from hotline import call_views

urlpatterns = [
    path("calls/<int:call_id>/", call_views.CallDetail.as_view(), name="hotline-call"),
]
