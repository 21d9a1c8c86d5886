"""Celery tasks of the adapters: thin wrappers around integrations.sms.outbox."""

from celery import shared_task

from integrations.sms import outbox


@shared_task(
    bind=True, name="integrations.send_sms", max_retries=outbox.ATTEMPTS, ignore_result=True
)
def send_sms(self, message_id: int) -> str:
    """One attempt; on a passing failure, again after the outbox's back-off."""
    attempt = outbox.deliver(message_id)
    if self.request.is_eager:
        # Embedded mode: no worker comes back later, and an eager retry would raise into the
        # request whose commit started the task. Try again at once, as many times as a worker
        # would (the back-off's waits are for a worker; here they would hold the request).
        while attempt.retry_in is not None:
            attempt = outbox.deliver(message_id)
    elif attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.status


@shared_task(name="integrations.sweep_sms", ignore_result=True)
def sweep_sms() -> int:
    """Send queued messages whose task was lost (beat, every minute)."""
    late = outbox.due()
    for message_id in late:
        send_sms.delay(message_id)
    return len(late)
