"""The ASGI entry point daphne serves (`daphne asgi:application`): HTTP and WebSocket."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")

import django
from channels.routing import ProtocolTypeRouter

# Django must be set up before anything imports models (what get_asgi_application does first).
django.setup(set_prefix=False)

from citydesk.server.http_handler import SyncChainASGIHandler  # noqa: E402
from command.realtime.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {"http": SyncChainASGIHandler(), "websocket": websocket_application}
)
