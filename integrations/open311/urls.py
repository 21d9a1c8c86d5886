"""/open311/v2/: GeoReport v2 (each resource as .json or .xml), and its OpenAPI description."""

from django.urls import path, re_path

from integrations.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.not_found, name="open311-root"),
    path("openapi.json", views.schema, name="open311-openapi"),
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, views.services, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, views.requests, name="open311-requests"),
    re_path(
        r"^requests/(?P<request_id>[^/]+?)" + FMT, views.request_detail, name="open311-request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token_lookup, name="open311-token"),
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),  # [\s\S]: a newline too
]
