"""When the duty room's periodic pass runs: Celery beat in services mode (the task), a thread of
the server process in the embedded mode, never on its own in tests or management commands."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings

from duty import schedule, tasks
from duty.models import DutyAlert


@pytest.mark.parametrize(
    ("argv", "env", "eager", "wanted"),
    [
        (["/x/.venv/bin/pytest"], "auto", True, False),
        (["manage.py", "migrate"], "auto", True, False),
        (["/work/citydesk/server/__main__.py", "-p", "8000"], "auto", True, True),
        (["/usr/local/bin/daphne", "asgi:application"], "auto", True, True),
        (["/work/citydesk/server/__main__.py"], "auto", False, False),  # services: beat runs it
        (["/x/.venv/bin/pytest"], "1", True, True),
        (["/usr/local/bin/daphne"], "0", True, False),
    ],
)
def test_the_thread_runs_only_where_requests_are_served(
    monkeypatch, settings, argv, env, eager, wanted
):
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv("CITYDESK_DUTY_IN_PROCESS", env)
    settings.CELERY_TASK_ALWAYS_EAGER = eager

    assert schedule.wanted() is wanted


def test_beat_schedules_the_pass():
    entry = settings.CELERY_BEAT_SCHEDULE["duty-scan"]
    assert entry["task"] == "duty.scan"
    assert entry["schedule"] > 0


def test_the_task_runs_the_pass(city, report, user):
    from command import lifecycle

    incident = report("中央大街一排路灯全部不亮").incident
    lifecycle.apply(incident.id, lifecycle.Request("make_major", actor=user("duty"), note="大面积"))

    tasks.duty_scan.apply()  # run here, as the worker would, in either mode

    assert DutyAlert.objects.filter(incident=incident).count() == 1


def test_the_thread_s_loop_survives_a_failing_pass_and_stops_when_asked(monkeypatch):
    import threading

    from duty import scan

    calls = []
    stop = threading.Event()

    def failing(now):
        calls.append(now)
        stop.set()  # the loop's wait returns at once: one pass, then it stops
        raise RuntimeError("boom")

    monkeypatch.setattr(scan, "run", failing)
    schedule.run(stop, interval=3600)

    assert len(calls) == 1
