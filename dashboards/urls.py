"""/dashboards/: the home that sends each role to its dashboard, and the Dash apps under it."""

from django.urls import path, re_path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    # Everything under an app's prefix goes to that app, after the access check: its page,
    # _dash-layout, _dash-dependencies, _dash-update-component, _dash-component-suites/...
    re_path(r"^(?P<slug>city|wall|unit)/(?P<path>.*)$", views.dash, name="app"),
]
