"""/performance/: unit performance figures and the city office's reports."""

from django.urls import path

from command.performance import pages

app_name = "performance"

urlpatterns = [
    path("", pages.page, name="page"),
    path("export.<str:fmt>", pages.export, name="export"),
]
