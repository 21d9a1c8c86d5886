"""The feeds' Celery task (services mode; found by citydesk.celery_app). A module of its own:
the SMS tasks' module is imported by the core's supervision, which must not reach intake
through it (import contracts)."""

from celery import shared_task
from django.utils import timezone

from integrations.feeds import schedule


@shared_task(name="integrations.feeds_pass", ignore_result=True)
def feeds_pass() -> int:
    """Poll the feed systems that are due and forget old nonces (beat)."""
    return schedule.feeds_pass(timezone.now())
