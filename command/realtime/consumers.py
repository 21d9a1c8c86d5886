"""The WebSocket endpoint /ws/events/: subscribe to streams, receive event frames.

Thin: it checks each subscription through `command.streams` and hands delivery to this
process's fan-out hub.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from command.outbox import streams
from command.realtime import access, fanout

MAX_STREAMS = 50
CLOSE_UNAUTHENTICATED = 4401


class EventsConsumer(AsyncJsonWebsocketConsumer):
    # No channel of its own: the process's hub listens to the layer for every socket, so a
    # process holds one Redis subscription, not one per client. ("none" names no layer.)
    channel_layer_alias = "none"

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close with our code: a refused handshake reaches a browser only as
            # 1006, and the client would keep retrying instead of asking the user to log in.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.reader = await database_sync_to_async(access.Reader.of)(user)
        self.keys: set[str] = set()
        self.pending: list[tuple[int, str]] = []
        self.sent_upto = 0
        self.held = False
        self.hub = await fanout.get_hub()
        await self.accept()
        self.hub.add(self)

    async def disconnect(self, code: int) -> None:
        hub = getattr(self, "hub", None)
        if hub is not None:
            hub.remove(self)

    async def deliver(self, frame: str) -> None:
        # What self.send(text_data=frame) does, less two coroutine layers: the hub calls this
        # for every socket of every flush.
        await self.base_send({"type": "websocket.send", "text": frame})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data)
        except ValueError:
            await self.send_json({"type": "error", "message": "Send JSON text frames."})

    async def receive_json(self, content: Any, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("action") not in (
            "subscribe",
            "unsubscribe",
        ):
            await self.send_json(
                {"type": "error", "message": 'Send {"action": "subscribe", "streams": [...]}.'}
            )
            return
        wanted = content.get("streams")
        if not isinstance(wanted, list) or not wanted or len(wanted) > MAX_STREAMS:
            await self.send_json(
                {"type": "error", "message": f"streams: a list of 1 to {MAX_STREAMS} names."}
            )
            return
        if content["action"] == "subscribe":
            await self._subscribe(wanted)
        else:
            await self._unsubscribe(wanted)

    async def _subscribe(self, wanted: list) -> None:
        granted, refused = await database_sync_to_async(_authorise)(self.reader, wanted)
        for stream, message in refused:
            await self.send_json({"type": "error", "stream": stream, "message": message})
        # Hold frames until the answer is out, so `seq` in it precedes every frame that follows.
        seq = self.hub.hold(self)
        self.hub.follow(self, {streams.key_of(s) for s in granted})
        try:
            await self.send_json({"type": "subscribed", "streams": granted, "seq": seq})
        finally:
            self.hub.release(self)

    async def _unsubscribe(self, wanted: list) -> None:
        names = [s for s in wanted if isinstance(s, str) and access.STREAM_RE.match(s)]
        self.hub.unfollow(self, {streams.key_of(s) for s in names})
        await self.send_json({"type": "unsubscribed", "streams": names})


def _authorise(reader: access.Reader, wanted: list) -> tuple[list[str], list[tuple[str, str]]]:
    granted, refused = [], []
    for stream in wanted:
        try:
            reader.authorise(stream)
        except access.StreamRefused as refusal:
            refused.append((stream if isinstance(stream, str) else repr(stream), str(refusal)))
        else:
            granted.append(stream)
    return granted, refused
