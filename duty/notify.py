"""The one hand-off from the duty room to SMS: `send_sms` records what is to be sent in a
PendingSms row (status pending). Nothing here sends: the SMS backends (branch `sms`) take the
pending rows at merge. The phone number is never logged; pages show it masked.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from duty.models import DutyAlert, DutyContact, PendingSms

log = logging.getLogger(__name__)


def send_sms(
    user: AbstractBaseUser, text: str, alert: DutyAlert | None = None, now: datetime | None = None
) -> PendingSms | None:
    """Queue `text` for `user`'s duty phone; None (and a log line without the number) when the
    user has no duty phone on record."""
    contact = DutyContact.objects.filter(user=user).first()
    if contact is None or not contact.phone.strip():
        log.warning("duty sms: %s has no duty phone; only the alarm on the page", user.pk)
        return None
    return PendingSms.objects.create(
        user=user, phone=contact.phone, text=text, alert=alert, created_at=now or timezone.now()
    )
