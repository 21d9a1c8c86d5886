"""Dash inside Django: each dashboard is a Dash 3 app whose Flask server is called, as a WSGI
application, from one Django view. Django's middleware runs first (session, sign-in, CSRF,
language), the view asks dashboards.access, and only then does the request reach Dash: its
page, layout, dependencies, callbacks and the component suites (JS served from the installed
packages, nothing from a CDN) all pass the same check. The README says why not
django-plotly-dash.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

import dash
import flask
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from plotly.offline import get_plotlyjs_version

from dashboards import panels, queries
from dashboards.access import Audience, Refused, Viewer, viewer_for
from dashboards.queries import InvalidFilter

# Dash's renderer sends the value of this cookie as X-CSRFToken on its POSTs (dash-renderer's
# api.js); Django's CSRF middleware reads that header. The page sets the cookie for /dashboards/.
DASH_CSRF_COOKIE = "_csrf_token"
UPDATE = "_dash-update-component"
# The live map's changes after events (GET, JSON; dashboards.panels.changes): ours, not Dash's.
CHANGES = "_citydesk-changes"
# Response headers WSGI may set that the ASGI server sets itself.
HOP_BY_HOP = {"connection", "transfer-encoding", "content-length", "keep-alive"}


@dataclass(frozen=True)
class Visit:
    """The Django request a Dash request came in with, and what its user may see."""

    request: HttpRequest
    viewer: Viewer


_visit: ContextVar[Visit | None] = ContextVar("citydesk_dash_visit", default=None)


def visiting() -> Visit | None:
    """The visit being served, or None (Dash calls a layout once when it is set, to check it)."""
    return _visit.get()


def current() -> Visit:
    """The visit being served (callbacks and layouts run inside `serve`, on its thread)."""
    visit = _visit.get()
    if visit is None:
        raise RuntimeError("not inside a dashboard request")
    return visit


class CityDash(dash.Dash):
    """A Dash app whose page is a Django template (the site's header, language, live client)."""

    def __init__(
        self,
        *,
        slug: str,
        audience: Audience,
        template: str,
        filters: bool = True,
        dark: bool = False,
        **kwargs,
    ) -> None:
        prefix = f"/dashboards/{slug}/"
        super().__init__(
            name="dashboards",
            server=flask.Flask("dashboards"),
            routes_pathname_prefix=prefix,
            requests_pathname_prefix=prefix,
            serve_locally=True,
            compress=False,
            update_title=None,
            use_async=False,
            include_assets_files=False,
            suppress_callback_exceptions=False,
            **kwargs,
        )
        self.slug = slug
        self.audience = audience
        self.template = template
        self.filters = filters  # the page has the filter dropdowns
        self.dark = dark  # the wall's colours and larger markers
        self.server.register_error_handler(InvalidFilter, _bad_filter)

    def interpolate_index(self, **parts: str) -> str:
        visit = current()
        tile_url = settings.CITYDESK.get("MAP_TILE_URL", "")
        return render_to_string(
            self.template,
            {
                "dash": parts,
                "slug": self.slug,
                "streams": list(visit.viewer.streams),
                "unit_name": visit.viewer.unit_name,
                "plotly_basic": "" if tile_url else plotly_basic_bundle(),
                # The points layer's data is fetched by the page (map_points.js), not sent with
                # the layout; a tiled map's points are in its figure.
                "points_layer": not tile_url,
            },
            request=visit.request,
        )


def plotly_basic_bundle() -> str:
    """The static path of plotly.js's basic bundle (scatter and bar; 1.2 MB where Dash's full
    one is 4.8 MB), vendored at the version the plotly wheel bundles
    (static/dashboards/vendor/README.md). The page loads it before Dash's scripts, so the map's
    graph finds window.Plotly instead of loading the full bundle once the layout is in."""
    return f"dashboards/vendor/plotly-basic-{get_plotlyjs_version()}.min.js"


def _bad_filter(error: InvalidFilter) -> tuple[flask.Response, int]:
    return flask.jsonify({"error": "invalid", "message": str(error)}), 400


def serve(request: HttpRequest, app: CityDash, path: str = "") -> HttpResponse:
    """One request to one dashboard: checked, then answered by the Dash app."""
    try:
        viewer = viewer_for(request.user, app.audience)
    except Refused as refusal:
        return _refused(request, app, path, refusal)
    if path == CHANGES:
        return _changes(request, app, viewer)
    if path == UPDATE:
        problem = _update_problem(request, app)
        if problem:
            return JsonResponse({"error": "invalid", "message": problem}, status=400)
    token = _visit.set(Visit(request, viewer))
    try:
        response = _call_wsgi(app.server.wsgi_app, request)
    finally:
        _visit.reset(token)
    if path == "":
        response.set_cookie(
            DASH_CSRF_COOKIE,
            get_token(request),
            path=f"/dashboards/{app.slug}/",
            samesite="Lax",
            secure=request.is_secure(),
        )
    if not path.startswith("_dash-component-suites/"):
        # The page, layout and callbacks carry the city's data: never kept by a cache. The
        # component suites are fingerprinted files, cached as Dash says.
        response["Cache-Control"] = "no-store"
    return response


def _changes(request: HttpRequest, app: CityDash, viewer: Viewer) -> HttpResponse:
    """GET ?since=ISO&no=A,B&district=&category=&source=&period= -> panels.changes as JSON;
    without `since`, every point. The wall has no filters and ignores them."""
    if request.method != "GET":
        return JsonResponse({"error": "invalid", "message": "Use GET."}, status=405)
    query = request.GET
    try:
        filters = (
            queries.parse_filters(*(query.get(name) for name in queries.FILTER_NAMES))
            if app.filters
            else queries.Filters()
        )
        since = _parse_since(query.get("since"))
        nos = [no for no in query.get("no", "").split(",") if no]
    except InvalidFilter as error:
        return JsonResponse({"error": "invalid", "message": str(error)}, status=400)
    if len(nos) > panels.MAX_CHANGED or any(len(no) > 20 for no in nos):
        message = f"no: at most {panels.MAX_CHANGED} tracking numbers; ask without since."
        return JsonResponse({"error": "invalid", "message": message}, status=400)
    found = panels.changes(
        viewer.scope, filters, timezone.now(), since=since, tracking_nos=nos, dark=app.dark
    )
    response = JsonResponse(found)
    response["Cache-Control"] = "no-store"
    return response


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        since = datetime.fromisoformat(value)
    except ValueError:
        message = f"since: an ISO 8601 time with its offset, not {value[:40]!r}."
        raise InvalidFilter(message) from None
    if since.tzinfo is None:
        raise InvalidFilter("since: give the time's UTC offset.")
    return since


def _refused(request: HttpRequest, app: CityDash, path: str, refusal: Refused) -> HttpResponse:
    if path != "":
        code = "not_authenticated" if refusal.status == 401 else "forbidden"
        return JsonResponse({"error": code, "message": str(refusal.message)}, status=refusal.status)
    if refusal.status == 401:
        return redirect_to_login(request.get_full_path())
    html = render_to_string(
        "dashboards/refused.html", {"message": refusal.message}, request=request
    )
    return HttpResponse(html, status=403)


def _update_problem(request: HttpRequest, app: CityDash) -> str:
    """What is wrong with a callback request, before Dash reads it ('' if nothing): Dash
    answers a malformed one with a 500. It must name a callback of this app and give exactly
    the outputs, inputs and state that callback declares."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return "Send JSON."
    if not isinstance(body, dict):
        return "Send a JSON object."
    spec = app.callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if spec is None:
        return "Unknown callback output."
    outputs = body.get("outputs")
    declared = len(spec["output"]) if isinstance(spec["output"], list) else 1
    if declared > 1 and (not isinstance(outputs, list) or len(outputs) != declared):
        return f"outputs: a list of {declared} objects."
    if declared == 1 and not isinstance(outputs, dict):
        return "outputs: an object."
    for key in ("inputs", "state"):
        items = body.get(key, [])
        wanted = [(i["id"], i["property"]) for i in spec[key]]
        if not isinstance(items, list) or len(items) != len(wanted):
            return f"{key}: a list of {len(wanted)} {{id, property, value}} objects."
        for item, (ident, prop) in zip(items, wanted, strict=True):
            if not isinstance(item, dict) or (item.get("id"), item.get("property")) != (
                ident,
                prop,
            ):
                return f"{key}: expected {ident}.{prop} in that place."
    return ""


def _call_wsgi(wsgi_app: Callable, request: HttpRequest) -> HttpResponse:
    body = request.body
    environ = {
        key: value
        for key, value in request.META.items()
        if isinstance(value, str) and (key.startswith("HTTP_") or key.isupper())
    }
    environ.update(
        {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": request.path,
            "QUERY_STRING": request.META.get("QUERY_STRING", ""),
            "SERVER_NAME": request.META.get("SERVER_NAME", "localhost"),
            "SERVER_PORT": str(request.META.get("SERVER_PORT", "80")),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": request.META.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": request.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
    )
    started: dict = {}

    def start_response(status: str, headers: list, exc_info=None) -> Callable:
        started["status"], started["headers"] = status, headers
        return lambda data: None

    result = wsgi_app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    response = HttpResponse(content, status=int(started["status"].split()[0]))
    for name, value in started["headers"]:
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    return response
