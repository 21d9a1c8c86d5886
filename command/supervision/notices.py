"""Supervision notices (督办单): duty staff issue one on a ticket, the unit replies by the time
set. Both are lifecycle transitions (`issue_notice`, `reply_notice`); an unanswered notice is
recorded by the scanner (`mark_notice_unanswered`). The API's transitions endpoint and the
desks call these."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from command import lifecycle
from command.models import Incident, SupervisionNotice


def issue(
    incident_id: int,
    actor: AbstractBaseUser,
    text: str,
    reply_by: datetime,
    version: int | None,
    now: datetime | None = None,
) -> Incident:
    """Issue a notice to the unit handling the ticket: reply by `reply_by`."""
    request = lifecycle.Request(
        "issue_notice", actor=actor, note=text, until=reply_by, expected_version=version
    )
    return lifecycle.apply(incident_id, request, now=now)


def reply(
    incident_id: int,
    actor: AbstractBaseUser,
    text: str,
    version: int | None,
    now: datetime | None = None,
) -> Incident:
    """The unit's reply to the notice waiting on the ticket (unit staff of that unit only)."""
    request = lifecycle.Request("reply_notice", actor=actor, note=text, expected_version=version)
    return lifecycle.apply(incident_id, request, now=now)


def waiting(incident: Incident) -> SupervisionNotice | None:
    """The notice on the ticket still waiting for its reply, if one."""
    return (
        SupervisionNotice.objects.filter(incident=incident, replied_at__isnull=True)
        .order_by("-id")
        .first()
    )
