"""Twilio's side of the hotline: signed webhooks in (texts, calls, delivery reports) and the
REST gateway out (integrations.sms.backends.twilio)."""
