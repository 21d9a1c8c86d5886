"""A real Celery worker on the Redis broker runs the relay sweep: events the web process never
relayed reach the Redis channel layer, numbered, and are marked published in PostgreSQL."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from django.db import connections

from command import tasks
from command.models import OutboxEvent
from command.outbox import relay

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
BOUND_S = 60


@pytest.fixture
def worker_queue(child_env):
    """A worker of our own on a queue of our own, on the test database and this run's prefix."""
    queue = f"citydesk-test-{os.getpid()}"
    command = [sys.executable, "-m", "celery", "-A", "citydesk", "worker", "-Q", queue]
    command += ["--pool", "solo", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield queue
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=20)
        assert b"Traceback" not in stderr, stderr.decode()[-2000:]


def wait_until_published(bound: float = BOUND_S) -> None:
    deadline = time.monotonic() + bound
    while OutboxEvent.objects.filter(published_at__isnull=True).exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the worker published nothing within {bound} s")
        time.sleep(0.1)


def submit_in_thread(report) -> tuple:
    try:
        result = report("中央大街自来水管爆裂，水流满街")
        return result, OutboxEvent.objects.filter(seq__isnull=True).count()
    finally:
        connections.close_all()  # this thread's own; left open it keeps the test database


def test_a_worker_relays_what_the_web_process_left_in_the_outbox(worker_queue, report, monkeypatch):
    # As if the web process died right after its commit: nothing relays here.
    monkeypatch.setattr(relay, "kick", lambda: None)
    layer = get_channel_layer()

    async def listen_then_sweep() -> dict:
        channel = await layer.new_channel("test.")
        await layer.group_add(relay.GROUP, channel)
        try:
            result, waiting = await asyncio.to_thread(submit_in_thread, report)
            assert waiting == 2
            tasks.relay_outbox.apply_async(queue=worker_queue)
            message = await asyncio.wait_for(layer.receive(channel), BOUND_S)
            return {"message": message, "tracking_no": result.incident.tracking_no}
        finally:
            await layer.group_discard(relay.GROUP, channel)

    got = asyncio.run(listen_then_sweep())

    frames = got["message"]["events"]
    assert [f["seq"] for f in frames] == [1, 2]
    assert [f["type"] for f in frames] == ["incident.created", "assignment.dispatched"]
    assert {f["incident"]["tracking_no"] for f in frames} == {got["tracking_no"]}
    wait_until_published()
    assert list(OutboxEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
