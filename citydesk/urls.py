"""Top-level URLs: admin, the v1 API and its OpenAPI documentation, and demo pages (DEBUG)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from citydesk import views
from command.realtime import pages

# For browser tests and demos only (DEBUG on, as in `make demo`): never served in production.
demo_pages = [path("realtime/probe/", pages.realtime_probe, name="realtime-probe")]
if not settings.DEBUG:
    demo_pages = []

urlpatterns = [
    path("", views.home, name="home"),
    # Health checks (proxy, containers): unauthenticated, one query, JSON.
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("command.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *demo_pages,
    # Last: any other /api/ path answers JSON, also with DEBUG on (handler404 is not used then).
    re_path(r"^api/", views.not_found),
]

handler404 = "citydesk.views.not_found"
