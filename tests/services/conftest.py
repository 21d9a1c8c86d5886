"""Fixtures for services tests that start processes of their own (daphne, a Celery worker)."""

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.feed_fixtures import feed_system  # noqa: F401


@pytest.fixture
def child_env(city, tmp_path) -> dict[str, str]:
    """The environment a child process needs to share this test's database and Redis prefix."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CITYDESK_CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        "CITYDESK_VAR_DIR": str(tmp_path),
    }
