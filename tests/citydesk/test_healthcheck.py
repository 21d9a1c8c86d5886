"""`python -m citydesk.server.healthcheck`, the web container's health check, against a real
daphne: healthy while it answers /healthz, unhealthy when nothing listens."""

from __future__ import annotations

import os
import subprocess

from tests.servers import daphne, free_port, run_python


def check(port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "CITYDESK_PORT": str(port), "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    return run_python("-m", "citydesk.server.healthcheck", env=env, check=False)


def test_the_health_check_passes_while_daphne_answers(tmp_path):
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        CITYDESK_VAR_DIR=str(tmp_path),
        CITYDESK_SQLITE=str(tmp_path / "citydesk.sqlite3"),
    )
    with daphne(env, tmp_path / "daphne.log") as port:
        assert check(port).returncode == 0


def test_the_health_check_fails_when_nothing_answers():
    done = check(free_port())

    assert done.returncode == 1
    assert "healthz on port" in done.stderr
