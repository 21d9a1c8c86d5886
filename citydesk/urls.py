"""Top-level URLs: sign-in and each role's home, admin, the v1 API and its OpenAPI documentation,
and demo pages (DEBUG)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from citydesk import views
from command.realtime import pages
from duty.api import OnDutyNow

# For browser tests and demos only (DEBUG on, as in `make demo`): never served in production.
demo_pages = [path("realtime/probe/", pages.realtime_probe, name="realtime-probe")]
if not settings.DEBUG:
    demo_pages = []

# Django's own views under their own names (its views reverse "password_change_done"); the
# templates are ours, under accounts/, so the admin keeps its own.
accounts = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(template_name="accounts/logged_out.html"),
        name="logout",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the header's switch
]

# The admin speaks as the platform, not as "Django".
admin.site.site_header = _("城市运行指挥平台 · 管理后台")
admin.site.site_title = _("管理后台")
admin.site.index_title = _("系统管理")

api_docs = SpectacularSwaggerView.as_view(url_name="api-schema")
if not settings.PUBLIC_API_DOCS:
    api_docs = login_required(api_docs)

urlpatterns = [
    path("", views.home, name="home"),
    # Health checks (proxy, containers): unauthenticated, one query, JSON.
    path("healthz", views.healthz, name="healthz"),
    *accounts,
    path("admin/", admin.site.urls),
    path("api/v1/", include("command.api.urls")),
    path("dispatch/", include("command.consoles.dispatch_urls")),
    path("notices/", include("command.consoles.notice_urls")),
    path("integrations/", include("integrations.urls")),
    path("open311/v2/", include("integrations.open311.urls")),
    path("api/v1/duty/now", OnDutyNow.as_view(), name="duty-api-now"),
    path("duty/", include("duty.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("hotline/", include("hotline.urls")),
    path("units/", include("command.consoles.units_urls")),
    path("performance/", include("command.performance.urls")),
    path("dashboards/", include("dashboards.urls")),
    *demo_pages,
    # Last: any other /api/ path answers JSON, also with DEBUG on (handler404 is not used then).
    re_path(r"^api/", views.not_found),
]

handler400 = "citydesk.views.bad_request"
handler404 = "citydesk.views.not_found"
