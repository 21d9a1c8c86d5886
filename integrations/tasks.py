"""Celery tasks of the adapters: thin wrappers around integrations.sms.outbox and
integrations.feeds (status_back, delivery)."""

from celery import shared_task

from integrations.feeds import delivery, sender, status_back
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


@shared_task(bind=True, name="integrations.scan_feeds", ignore_result=True)
def scan_feeds(self) -> int:
    """Queue the deliveries of the state changes published since the cursor, and send them."""
    if self.request.is_eager and sender.wake():
        # Embedded server: its sender thread scans, off the committing thread (a scan writes
        # the cursor: on SQLite a write per commit, 5.6 ms a report in bench.feeds).
        return 0
    created = status_back.scan()
    for delivery_id in created:
        send_feed.delay(delivery_id)
    return len(created)


@shared_task(
    bind=True, name="integrations.send_feed", max_retries=delivery.ATTEMPTS, ignore_result=True
)
def send_feed(self, delivery_id: int) -> str:
    """One attempt; on failure, again after the back-off; once sent, the next one in order."""
    if self.request.is_eager:
        # Embedded mode: this runs on the relay's or a request's thread, which an unanswering
        # system would hold for the whole timeout; the sender thread sends (it also retries).
        sender.wake()
        return "handed to the sender"
    attempt = delivery.deliver(delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    if attempt.next_id is not None:
        send_feed.delay(attempt.next_id)
    return attempt.state


@shared_task(name="integrations.sweep_feeds", ignore_result=True)
def sweep_feeds() -> int:
    """Scan for state changes a listener missed, and send the deliveries due (a lost task, a
    back-off over, a send cut off); beat, every CITYDESK_FEED_SWEEP_SECONDS."""
    status_back.scan()
    due = delivery.due()
    for delivery_id in due:
        send_feed.delay(delivery_id)
    return len(due)
