"""Issue 23: a key's rate limit is one limit however many server processes take its requests:
counted in Redis, this process and another one counting against the same window."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from command import api_keys
from command.api_keys import issue_key

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
# A moment of one window, the same in both processes (the clock never splits the test's count).
MOMENT = 1_800_000_010.0
CHILD = """
import sys
import django

django.setup()
from command import api_keys
from command.models import ApiKey

key = ApiKey.objects.get(pk=int(sys.argv[1]))
print(" ".join(repr(api_keys.admit(key, now=float(sys.argv[2]))) for _ in range(3)))
"""


def test_two_processes_count_against_one_limit_in_redis(child_env, user):
    assert settings.CITYDESK_RATE_COUNTER == "command.rate_limits.RedisCounter"
    key, _ = issue_key("shared", user("intake"), rate_limit=5)

    here = [api_keys.admit(key, now=MOMENT) for _ in range(3)]
    there = subprocess.run(
        [sys.executable, "-c", CHILD, str(key.pk), str(MOMENT)],
        env=child_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert there.returncode == 0, there.stderr
    assert here == [None, None, None]
    assert there.stdout.split() == ["None", "None", "50.0"]  # its third is the key's sixth
    assert api_keys.admit(key, now=MOMENT) == 50.0
    assert api_keys.admit(key, now=MOMENT + 60) is None  # the next minute starts afresh
