"""The two modes, the production settings and the mode consistency check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.checks import Error

from command.checks import check_mode_is_consistent

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_settings_pass_the_deploy_check_silently():
    done = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="citydesk.settings_production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_the_embedded_mode_is_sqlite_in_memory_layer_and_eager_tasks():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "citydesk.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "Asia/Shanghai",
        "zh-hans",
    ]


SERVICES = {
    "DJANGO_SETTINGS_MODULE": "citydesk.settings",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/anything",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
}


def printed_by_settings(expression: str, env: dict[str, str]) -> list[str]:
    """What a fresh process under `env` prints for `expression` over the settings `s`."""
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_services_mode_is_chosen_by_the_environment():
    out = printed_by_settings(
        "s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL",
        {**os.environ, **SERVICES},
    )
    assert out == [
        "django.db.backends.postgresql",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "False",
        "redis://127.0.0.1:6379/3",
    ]


def test_the_check_refuses_eager_tasks_with_a_shared_channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    errors = check_mode_is_consistent(None)
    assert [e.id for e in errors] == ["citydesk.E001"]
    assert isinstance(errors[0], Error)


def test_the_check_accepts_the_embedded_mode(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert check_mode_is_consistent(None) == []


def test_the_services_mode_bounds_every_wait_on_the_database():
    out = printed_by_settings(
        "s.DATABASES['default']['OPTIONS']['connect_timeout'], "
        "s.DATABASES['default']['OPTIONS']['pool']['timeout'], "
        "s.DATABASES['default']['OPTIONS']['options']",
        {**os.environ, **SERVICES},
    )
    assert out == ["3", "3.0", "-c", "statement_timeout=30000"]
