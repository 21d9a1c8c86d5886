"""The one hand-off from the duty room to SMS: `send_sms` records what is to be sent (a
PendingSms row, the duty room's own trace of it) and queues it in the SMS outbox
(integrations.sms.outbox: sent after commit through the configured gateway, retried, swept),
once per row. The phone number is never logged; pages show it masked.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from duty.models import DutyAlert, DutyContact, PendingSms, SmsStatus
from hotline.phones import canonical
from integrations.sms import outbox

log = logging.getLogger(__name__)
PURPOSE = "duty_alert"


def send_sms(
    user: AbstractBaseUser, text: str, alert: DutyAlert | None = None, now: datetime | None = None
) -> PendingSms | None:
    """Queue `text` for `user`'s duty phone; None (and a log line without the number) when the
    user has no duty phone on record."""
    contact = DutyContact.objects.filter(user=user).first()
    if contact is None or not contact.phone.strip():
        log.warning("duty sms: user %s has no duty phone; only the alarm on the page", user.pk)
        return None
    pending = PendingSms.objects.create(
        user=user, phone=contact.phone, text=text, alert=alert, created_at=now or timezone.now()
    )
    outbox.queue(canonical(contact.phone), text, key=f"duty:{pending.pk}", purpose=PURPOSE)
    PendingSms.objects.filter(pk=pending.pk).update(status=SmsStatus.HANDED_OVER)
    pending.status = SmsStatus.HANDED_OVER
    return pending
