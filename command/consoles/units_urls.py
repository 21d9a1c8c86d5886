"""/units/: the unit console (单位工作台)."""

from django.urls import path, register_converter

from command.consoles import units
from command.url_converters import TrackingNo

app_name = "units"

register_converter(TrackingNo, "ticket_no")

urlpatterns = [
    path("", units.queue, name="queue"),
    path("<ticket_no:tracking_no>/", units.detail, name="ticket"),
    path("<ticket_no:tracking_no>/act", units.act, name="act"),
    path("<ticket_no:tracking_no>/photos", units.upload_photo, name="upload-photo"),
    path("<ticket_no:tracking_no>/photos/<int:photo_id>", units.photo, name="photo"),
]
