"""WebSocket routes, behind the origin check and session authentication."""

from channels.routing import URLRouter
from django.urls import path

from command.realtime.consumers import EventsConsumer
from command.realtime.origin import SameOriginValidator
from command.realtime.socket_auth import SessionUserMiddleware

websocket_urlpatterns = [path("ws/events/", EventsConsumer.as_asgi())]

websocket_application = SameOriginValidator(SessionUserMiddleware(URLRouter(websocket_urlpatterns)))
