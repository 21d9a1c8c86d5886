"""The alerts' texts to the units' contacts leave through the SMS outbox (integrations.sms):
each pending alert is queued once, under the key `alert:<id>`, by the scanner's periodic run
(the Celery task in services mode, the server's thread in embedded mode) after its pass."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from command.supervision import alerts
from integrations.sms import outbox

PURPOSE = "supervision_alert"


def send_pending(now: datetime, limit: int = 100) -> int:
    """Queue the text of every alert waiting for one (up to `limit`, oldest first); returns
    how many were queued. The alert is marked sent (compare-and-set) and its text queued in one
    transaction, so two runs at once queue it once, and a failed queue leaves it pending."""
    queued = 0
    for sms in alerts.sms_pending(limit):
        if not sms.phone:  # the unit's contact phone was removed since the alert fired
            alerts.drop_sms(sms.alert_id)
            continue
        with transaction.atomic():
            if not alerts.mark_sms_sent(sms.alert_id, now):
                continue  # another run took it
            if outbox.queue(sms.phone, sms.text, key=f"alert:{sms.alert_id}", purpose=PURPOSE):
                queued += 1
    return queued
