from tests.sms_fixtures import (  # noqa: F401
    _forget_tracking_sequences,
    eager_tasks,
    sms_outbox,
    text,
    twilio,
    webhook,
)
