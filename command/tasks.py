"""Celery tasks: thin wrappers around the domain functions tests call directly."""

from celery import shared_task
from django.utils import timezone

from command import request_log
from command.outbox import relay
from command.supervision import alert_sms, scanner


@shared_task(name="command.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Publish outbox events a failed or interrupted relay left behind (beat, every few s)."""
    return relay.relay_pending()


@shared_task(name="command.supervision_scan", ignore_result=True)
def supervision_scan() -> int:
    """Fire the supervision alerts that are due and queue their texts to the units (beat,
    every SUPERVISION_SCAN_SECONDS)."""
    now = timezone.now()
    fired = scanner.scan(now).total
    alert_sms.send_pending(now)
    return fired


@shared_task(name="command.prune_api_log", ignore_result=True)
def prune_api_log() -> int:
    """Drop API request log rows past their retention (beat, hourly)."""
    return request_log.prune(timezone.now())
