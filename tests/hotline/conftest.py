from tests.sms_fixtures import eager_tasks, sms_outbox, text, twilio, webhook  # noqa: F401
