"""Fixtures of the adapters' tests: the SMS ones (tests.sms_fixtures) and the feeds'
(tests.feed_fixtures)."""

from tests.feed_fixtures import feed_system, push  # noqa: F401
from tests.sms_fixtures import (  # noqa: F401
    _forget_tracking_sequences,
    eager_tasks,
    sms_outbox,
    text,
    twilio,
    webhook,
)
