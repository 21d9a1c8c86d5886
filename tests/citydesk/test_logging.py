"""What the console shows: every line once, and a refused request as one line, no traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.servers import run_python

# Runs in a fresh process, so the project's LOGGING is what writes to stderr (under pytest,
# pytest's own capture would stand in between).
REQUESTS = """
import logging

import django

django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
clerk = get_user_model().objects.create_user("clerk", is_staff=True)
signed_in = Client()
signed_in.force_login(clerk)
print(signed_in.get("/admin/auth/user/add/").status_code)
print(Client().get("/api/v1/incidents").status_code)
logging.getLogger("command.intake").warning("a warning from the domain")
"""


def run_with_debug_on(tmp_path: Path) -> subprocess.CompletedProcess:
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        DJANGO_DEBUG="1",
        CITYDESK_VAR_DIR=str(tmp_path),
        CITYDESK_SQLITE=str(tmp_path / "db.sqlite3"),
    )
    return run_python("-c", REQUESTS, env=env)


def test_each_line_is_logged_once_and_refusals_without_a_traceback(tmp_path):
    done = run_with_debug_on(tmp_path)

    assert done.stdout.split() == ["403", "401"]
    log = done.stderr
    assert log.count("Forbidden (Permission denied): /admin/auth/user/add/") == 1, log
    assert log.count("Unauthorized: /api/v1/incidents") == 1, log
    assert log.count("a warning from the domain") == 1, log
    assert "Traceback" not in log, log
