"""/notices/: a unit's reply to a supervision notice (command.consoles.notices)."""

from django.urls import re_path

from command.consoles import notices

urlpatterns = [
    re_path(r"^(?P<tracking_no>[0-9A-Za-z-]{1,20})/$", notices.reply, name="notice-reply"),
]
