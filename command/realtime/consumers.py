"""The WebSocket endpoint /ws/events/: subscribe to streams, receive event frames.

Thin: it checks each subscription through `command.realtime.access`, hands delivery to this
process's fan-out hub, and gives up what the hub's revocation review takes away.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from command.outbox import streams
from command.realtime import access, fanout, revocation
from command.realtime.revocation import CLOSE_UNAUTHENTICATED

MAX_STREAMS = 50


class EventsConsumer(AsyncJsonWebsocketConsumer):
    # No channel of its own: the process's hub listens to the layer for every socket, so a
    # process holds one Redis subscription, not one per client. ("none" names no layer.)
    channel_layer_alias = "none"
    # None while the socket is not the hub's: anonymous (closed at once), or closed by the
    # revocation review. A message may arrive then, sent before the client saw the close.
    hub: fanout.Hub | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close with our code: a refused handshake reaches a browser only as
            # 1006, and the client would keep retrying instead of asking the user to log in.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.reader = await database_sync_to_async(access.Reader.of)(user)
        self.user_id: int = user.pk
        self.session_key: str | None = self.scope.get("session_key")
        self.streams: set[str] = set()
        self.keys: set[str] = set()
        self.pending: list[tuple[int, str]] = []
        self.sent_upto = 0
        self.held = False
        hub = await fanout.get_hub()
        await self.accept()
        self.hub = hub
        hub.add(self)

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            self.hub.remove(self)
            self.hub = None

    def holding(self) -> revocation.Holding:
        return revocation.Holding(
            self.session_key, self.user_id, self.reader, frozenset(self.streams)
        )

    async def revise(self, verdict: revocation.Verdict) -> None:
        """Give up what the review took away: the socket, or the streams no longer readable."""
        if verdict.close is not None:
            self.hub.remove(self)
            self.hub = None
            await self.send_json({"type": "error", "message": verdict.message})
            await self.close(code=verdict.close)
            return
        self.reader = verdict.reader
        self.hub.unfollow(self, {streams.key_of(s) for s in verdict.dropped})
        self.streams -= set(verdict.dropped)
        for stream, message in sorted(verdict.dropped.items()):
            await self.send_json({"type": "error", "stream": stream, "message": message})

    async def deliver(self, frame: str) -> None:
        # What self.send(text_data=frame) does, less two coroutine layers: the hub calls this
        # for every socket of every flush.
        await self.base_send({"type": "websocket.send", "text": frame})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.hub is None:
            return  # closed, or closing: nothing to answer
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
        if self.hub is None:
            return  # closed by the revocation review meanwhile
        for stream, message in refused:
            await self.send_json({"type": "error", "stream": stream, "message": message})
        # Hold frames until the answer is out, so `seq` in it precedes every frame that follows.
        seq = self.hub.hold(self)
        self.hub.follow(self, {streams.key_of(s) for s in granted})
        self.streams.update(granted)
        try:
            await self.send_json({"type": "subscribed", "streams": granted, "seq": seq})
        finally:
            self.hub.release(self)

    async def _unsubscribe(self, wanted: list) -> None:
        names = [s for s in wanted if isinstance(s, str) and access.STREAM_RE.match(s)]
        self.hub.unfollow(self, {streams.key_of(s) for s in names})
        self.streams.difference_update(names)
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
