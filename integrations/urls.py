"""/integrations/: the adapters' webhooks."""

from django.urls import path

from integrations.twilio import views

urlpatterns = [
    path("twilio/sms/", views.sms_inbound, name="twilio-sms"),
    path("twilio/sms/status/", views.sms_status, name="twilio-sms-status"),
    path("twilio/voice/", views.voice_inbound, name="twilio-voice"),
]
