from tests.feed_fixtures import feed_system  # noqa: F401
from tests.sms_fixtures import (  # noqa: F401
    _forget_tracking_sequences,
    eager_tasks,
    sms_outbox,
    text,
    twilio,
    webhook,
)
