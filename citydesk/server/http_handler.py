"""Django's ASGI handler, with its middleware chain and view run in one call on one thread.

Every middleware of this project is synchronous at heart (Django's own are MiddlewareMixin,
WhiteNoise is sync only). Under Django's ASGIHandler they are chained for async: each one's
process_request and process_response went to a thread and back through the event loop: 16
round trips for a page. Under daphne that loop also writes every WebSocket frame, so each round
trip may wait behind a fan-out. Here a request makes three: request_started, the chain with its
view, and closing the response.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler's: it would chain the middleware for async
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # thread_sensitive, as Django runs sync views: the request's own thread
        # (ASGIHandler.__call__ opens a ThreadSensitiveContext per request).
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
