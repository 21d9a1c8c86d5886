"""A WebSocket's user comes from the session cookie, as a request's does."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from command.realtime.socket_auth import SessionUserMiddleware

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def user_in_scope(cookie: bytes | None):
    seen = {}

    async def inner(scope, receive, send):
        seen["user"] = scope["user"]

    headers = [(b"cookie", cookie)] if cookie is not None else []
    await SessionUserMiddleware(inner)({"type": "websocket", "headers": headers}, None, None)
    return seen["user"]


@database_sync_to_async
def logged_in(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"theme=dark; sessionid={client.cookies['sessionid'].value}".encode()


async def test_the_session_cookie_names_the_user(city, user):
    duty = await database_sync_to_async(user)("duty")

    found = await user_in_scope(await logged_in(duty))

    assert found.pk == duty.pk


@pytest.mark.parametrize("cookie", [None, b"", b"theme=dark", b"sessionid=not-a-session"])
async def test_no_session_or_an_unknown_one_is_anonymous(city, cookie):
    assert isinstance(await user_in_scope(cookie), AnonymousUser)


async def test_a_session_from_before_a_password_change_is_anonymous(city, user):
    duty = await database_sync_to_async(user)("duty")
    cookie = await logged_in(duty)

    duty.set_password("a new password for the duty room")
    await database_sync_to_async(duty.save)()

    assert isinstance(await user_in_scope(cookie), AnonymousUser)
