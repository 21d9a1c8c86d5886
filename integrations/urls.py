"""/integrations/: the adapters' webhooks."""

from django.urls import path

from integrations.feeds import views as feeds
from integrations.twilio import views

urlpatterns = [
    path("twilio/sms/", views.sms_inbound, name="twilio-sms"),
    path("twilio/sms/status/", views.sms_status, name="twilio-sms-status"),
    path("twilio/voice/", views.voice_inbound, name="twilio-voice"),
    path("feeds/110/", feeds.police_110, name="feed-110"),
    path("feeds/12319/", feeds.urban_12319, name="feed-12319"),
]
