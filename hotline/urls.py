"""/hotline/: the operators' console's endpoints."""

from django.urls import path

from hotline import views

urlpatterns = [
    path("calls/<int:call_id>/", views.CallDetail.as_view(), name="hotline-call"),
]
