"""Celery tasks: thin wrappers around the domain functions tests call directly."""

from celery import shared_task

from command.outbox import relay


@shared_task(name="command.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    """Publish outbox events a failed or interrupted relay left behind (beat, every few s)."""
    return relay.relay_pending()
