"""Celery tasks: thin wrappers around the functions tests call directly."""

from celery import shared_task
from django.utils import timezone

from duty import scan


@shared_task(name="duty.scan", ignore_result=True)
def duty_scan() -> None:
    """The duty room's periodic pass (beat, every CITYDESK["DUTY_SCAN_SECONDS"])."""
    scan.run(timezone.now())
