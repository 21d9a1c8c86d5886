"""The SMS outbox: a text queued in a transaction is sent after the commit, once per key;
the task retries with back-off while the gateway fails, and gives up after ATTEMPTS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from integrations import tasks
from integrations.models import OutboundSms, SmsStatus
from integrations.sms import outbox
from integrations.sms.backends import locmem
from tests.sms_fixtures import CITIZEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def sending(twilio, eager_tasks, sms_outbox, django_capture_on_commit_callbacks):
    """Queue a text and run what its commit starts."""

    def queue(key: str = "receipt:1", to: str = CITIZEN) -> OutboundSms | None:
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.queue(to, "工单已受理", key=key, purpose="receipt")

    return queue


def test_a_text_is_sent_after_the_commit_not_before(
    twilio, eager_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = outbox.queue(CITIZEN, "工单已受理", key="k", purpose="receipt")
        assert sms_outbox == []  # inside the transaction nothing has left
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert [m.to for m in sms_outbox] == [CITIZEN]


def test_a_key_is_sent_once(sending, sms_outbox):
    first, second = sending("receipt:9"), sending("receipt:9")

    assert first is not None
    assert second is None
    assert len(sms_outbox) == 1


def test_the_back_off_doubles_up_to_an_hour():
    waits = [outbox.backoff(n) for n in range(1, 10)]
    assert waits[:5] == [30, 60, 120, 240, 480]
    assert waits[-1] == outbox.BACKOFF_MAX_S
    assert waits == sorted(waits)


def test_a_failed_attempt_is_queued_again_after_the_back_off(twilio, sms_outbox):
    message = OutboundSms.objects.create(to=CITIZEN, body="x", key="k", purpose="reply")
    locmem.fail_next(2)
    now = timezone.now()

    first = outbox.deliver(message.id, now)
    message.refresh_from_db()
    assert (first.status, first.retry_in) == (SmsStatus.QUEUED, 30)
    assert message.next_attempt_at == now + timedelta(seconds=30)
    second = outbox.deliver(message.id, now)
    assert second.retry_in == 60
    third = outbox.deliver(message.id, now)

    message.refresh_from_db()
    assert (third.status, message.status, message.attempts) == ("sent", "sent", 3)
    assert len(sms_outbox) == 1


def test_the_task_retries_while_the_gateway_fails_then_sends(sending, sms_outbox):
    locmem.fail_next(2)

    message = sending()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 3)
    assert message.provider_id == sms_outbox[0].provider_id


def test_the_task_gives_up_after_its_attempts(sending, sms_outbox):
    locmem.fail_next(outbox.ATTEMPTS + 1)

    message = sending()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, outbox.ATTEMPTS)
    assert message.last_error
    assert sms_outbox == []


def test_a_refusal_is_not_retried(sending, sms_outbox):
    locmem.fail_next(1, retry=False)

    message = sending()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 1)


def test_a_message_already_sent_is_not_sent_again(sending, sms_outbox):
    message = sending()

    assert outbox.deliver(message.id).status == SmsStatus.SENT
    assert len(sms_outbox) == 1


def test_the_sweep_sends_what_a_lost_task_left_waiting(twilio, eager_tasks, sms_outbox):
    late = OutboundSms.objects.create(to=CITIZEN, body="x", key="late", purpose="reply")
    fresh = OutboundSms.objects.create(to=CITIZEN, body="y", key="fresh", purpose="reply")
    OutboundSms.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - outbox.SWEEP_GRACE - timedelta(seconds=1)
    )

    assert tasks.sweep_sms.apply().get() == 1

    late.refresh_from_db()
    fresh.refresh_from_db()
    assert (late.status, fresh.status) == (SmsStatus.SENT, SmsStatus.QUEUED)
    assert [m.body for m in sms_outbox] == ["x"]


def test_the_error_stored_never_holds_the_number(twilio, sms_outbox, monkeypatch):
    message = OutboundSms.objects.create(to=CITIZEN, body="x", key="k", purpose="reply")

    def refuse(self, to, body):
        raise outbox.GatewayError(f"invalid number {to}", retry=False)

    monkeypatch.setattr(locmem.LocmemGateway, "send", refuse)
    outbox.deliver(message.id)

    message.refresh_from_db()
    assert "13800138000" not in message.last_error
    assert "138****8000" in message.last_error


def test_a_worker_retries_the_task_after_the_back_off(twilio, eager_tasks, sms_outbox):
    """On a worker the task hands the wait to Celery: a Retry due after `backoff`. (The retry
    it sends runs at once here, tasks being eager: the second attempt.)"""
    message = OutboundSms.objects.create(to=CITIZEN, body="x", key="k", purpose="reply")
    locmem.fail_next(1)
    tasks.send_sms.push_request(
        id="as-on-a-worker",
        args=[message.id],
        kwargs={},
        retries=0,
        is_eager=False,
        called_directly=False,
    )
    try:
        with pytest.raises(Retry) as retry:
            tasks.send_sms.run(message.id)
    finally:
        tasks.send_sms.pop_request()

    assert retry.value.when == outbox.backoff(1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.SENT, 2)


def test_a_delivery_report_that_came_before_the_send_was_recorded_still_applies(twilio, sms_outbox):
    from integrations.messages import DeliveryReport

    message = OutboundSms.objects.create(to=CITIZEN, body="x", key="k", purpose="reply")
    # locmem numbers its messages: the id the send is about to get.
    outbox.record_delivery(DeliveryReport(provider_id="locmem-1", status="delivered"))

    outbox.deliver(message.id)

    message.refresh_from_db()
    assert (message.provider_id, message.status) == ("locmem-1", SmsStatus.DELIVERED)
