"""A citizen's text, read and answered: a complaint becomes a report through the one intake, a
query (`查询 <no>`, `CX <no>`) gets its incident's progress, a 1/2/3 answers a satisfaction
survey, anything else gets help. Each text is taken once (by MessageSid), in one transaction
with what it causes and the reply it queues.

Abuse: a number on the block list, or one over `SMS_COMPLAINTS_PER_HOUR`, has its complaint
stored and flagged (`InboundMessage.hold`) instead of taken; `release` takes it later.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from command import intake
from command.errors import InvalidReport
from command.intake.service import MAX_TEXT
from command.models import Incident, IncidentStatus, Report
from hotline import phones, replies, satisfaction
from hotline.models import BlockedNumber, Hold, InboundMessage, MessageKind
from integrations.messages import InboundSms

log = logging.getLogger(__name__)

QUERY_RE = re.compile(r"^\s*(?:查询|查|CX)\s*[:：]?\s*(\d{8}-\d{4,6})\s*$", re.IGNORECASE)
# Shorter than this and not a command: a greeting or a slip, answered with help.
MIN_COMPLAINT = 5


def reply(sms: InboundSms) -> None:
    """Take one inbound text (the webhook's handler, CITYDESK_SMS_CONVERSATION). A MessageSid
    seen before is ignored: its report and reply were made the first time."""
    with transaction.atomic():
        message, created = InboundMessage.objects.get_or_create(
            message_sid=sms.message_sid,
            defaults={
                "sender": phones.canonical(sms.sender),
                "body": sms.body.strip(),
                "received_at": sms.received_at,
                "kind": MessageKind.HELP,
            },
        )
        if not created:
            return
        message.kind, answer = _answer(message)
        message.save()
        if answer:
            replies.send(
                message.sender, answer, key=f"reply:{message.message_sid}", purpose=message.kind
            )


def _answer(message: InboundMessage) -> tuple[str, str]:
    """(what the text was, the reply to queue, "" for none)."""
    query = QUERY_RE.match(message.body)
    if query:
        return MessageKind.QUERY, answer_query(message.sender, query[1])
    rating = satisfaction.rating_of(message.body)
    if rating is not None:
        answered = satisfaction.answer(message.sender, rating, message.received_at)
        if answered is not None:
            return MessageKind.SATISFACTION, answered
    if len(message.body) < MIN_COMPLAINT:
        return MessageKind.HELP, replies.HELP
    return MessageKind.COMPLAINT, _complaint(message)


def answer_query(phone: str, tracking_no: str) -> str:
    """The incident's progress if `phone` reported it; a neutral answer otherwise, the same
    whether the number exists or not (a stranger learns nothing from it)."""
    # Not .first(): its ORDER BY (the model's -opened_at) made SQLite scan instead of using
    # the unique index (7 ms a query at a thousand incidents).
    found = list(
        Incident.objects.select_related("unit", "merged_into__unit")
        .filter(tracking_no=tracking_no)
        .order_by()
    )
    incident = found[0] if found else None
    if incident is None or not _reported_by(incident, phone):
        return replies.NOT_FOUND.format(tracking_no=tracking_no)
    if incident.status == IncidentStatus.MERGED and incident.merged_into is not None:
        # Its reports moved with the merge: the citizen's problem is handled under the other.
        incident = incident.merged_into
    return replies.progress(incident)


def _reported_by(incident: Incident, phone: str) -> bool:
    numbers = phones.variants(phone)
    if Report.objects.filter(incident=incident, reporter_phone__in=numbers).exists():
        return True
    # A merged incident's reports now belong to the incident it was merged into.
    return incident.status == IncidentStatus.MERGED and _was_in(incident, numbers)


def _was_in(incident: Incident, numbers: list[str]) -> bool:
    """Whether one of `numbers` reported into `incident` before it was merged away."""
    moved = [
        report_id
        for entry in incident.timeline.filter(action="merged_into")
        for report_id in entry.data.get("reports", [])
    ]
    return Report.objects.filter(id__in=moved, reporter_phone__in=numbers).exists()


def _complaint(message: InboundMessage) -> str:
    hold = _hold_for(message.sender, message.received_at)
    if hold:
        message.hold = hold
        log.info("SMS %s held: %s", message.id, hold)
        return "" if hold == Hold.BLOCKED else replies.HELD
    return _take(message)


def _take(message: InboundMessage) -> str:
    """Hand the complaint to intake; queue its receipt (the reply)."""
    try:
        result = intake.submit(
            intake.ReportIn(
                source="sms",
                external_id=message.message_sid,
                text=message.body[:MAX_TEXT],  # the whole text stays on the message
                received_at=message.received_at,
                reporter_phone=message.sender,
            )
        )
    except InvalidReport as error:
        message.hold = Hold.INVALID
        log.info("SMS %s not taken: %s", message.id, sorted(getattr(error, "fields", {})))
        return replies.INVALID
    message.report = result.report
    replies.send_receipt(result.report)
    return ""  # the receipt is the reply


def _hold_for(sender: str, now: datetime) -> str:
    if BlockedNumber.objects.filter(phone__in=phones.variants(sender)).exists():
        return Hold.BLOCKED
    recent = InboundMessage.objects.filter(
        sender=sender,
        kind=MessageKind.COMPLAINT,
        received_at__gt=now - timedelta(hours=1),
    ).count()  # held ones count too: a number that keeps sending stays held
    if recent >= settings.CITYDESK_SMS_COMPLAINTS_PER_HOUR:
        return Hold.RATE_LIMITED
    return ""


def release(message_id: int, now: datetime | None = None) -> InboundMessage:
    """Take a held complaint after all (an operator found it genuine): to intake, receipt."""
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().get(pk=message_id)
        if message.report_id is not None or message.kind != MessageKind.COMPLAINT:
            return message
        message.released_at = now or timezone.now()
        answer = _take(message)
        message.save()
        if answer:
            replies.send(message.sender, answer, key=f"release:{message.id}", purpose="release")
    return message
