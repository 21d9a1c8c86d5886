"""A feed system's rate limit is one limit however many server processes take its pushes:
counted in Redis, this process and another one counting against the same window."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from integrations.feeds import inbound, signing
from integrations.models import FeedSystem

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
# A moment of one window, the same in both processes (the clock never splits the test's count).
MOMENT = 1_800_000_010.0
CHILD = """
import sys
import django

django.setup()
from integrations.feeds import inbound
from integrations.models import FeedSystem

system = FeedSystem.objects.get(pk=int(sys.argv[1]))
print(" ".join(repr(inbound.admit(system, now=float(sys.argv[2]))) for _ in range(3)))
"""


def test_two_processes_count_a_systems_pushes_against_one_limit_in_redis(child_env):
    assert settings.CITYDESK_RATE_COUNTER == "command.rate_limits.RedisCounter"
    system = FeedSystem.objects.create(
        code="hrb-110-shared",
        name="110",
        kind="110",
        source_code="110",
        secret=signing.new_secret(),
        rate_limit=5,
    )

    here = [inbound.admit(system, now=MOMENT) for _ in range(3)]
    there = subprocess.run(
        [sys.executable, "-c", CHILD, str(system.pk), str(MOMENT)],
        env=child_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert there.returncode == 0, there.stderr
    assert here == [None, None, None]
    assert there.stdout.split() == ["None", "None", "50"]  # its third is the system's sixth
    assert inbound.admit(system, now=MOMENT) == 50
    assert inbound.admit(system, now=MOMENT + 60) is None  # the next minute starts afresh
