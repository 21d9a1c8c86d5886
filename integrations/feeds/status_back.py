"""Status back (联动反馈): every state change of an incident goes, as one delivery each, to the
feed systems whose records it holds; a transfer to 110 (移交110) goes to the 110 system.

How changes are found: `scan` reads them from the outbox after a cursor kept in the database
(`FeedCursor.last_seq`; seq is handed out in commit order with no holes filling in later, so
the cursor skips nothing), through command.state_changes. It runs after every batch this
process's relay publishes (`on_published`, registered in IntegrationsConfig.ready) and from the
sweep (Celery beat, or the embedded mode's thread), which catches up whatever a listener
missed. A delivery is one row per (system, seq, record): a second scan sends nothing twice.
Sending is integrations.feeds.delivery's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from command import state_changes, ttl_cache
from command.outbox import relay
from command.state_changes import StateChange
from command.ttl_cache import ttl_cached
from integrations.feeds import transfer
from integrations.models import DeliveryKind, FeedCursor, FeedDelivery, FeedSystem

log = logging.getLogger(__name__)


def scan() -> list[int]:
    """Queue the deliveries of every state change published since the cursor; returns the new
    deliveries' ids. Safe to run anywhere, any number of times at once (the cursor's row lock
    makes them take turns)."""
    now = timezone.now()
    created: list[int] = []
    with transaction.atomic():
        cursor = FeedCursor.objects.select_for_update().order_by("id").first()
        if cursor is None:  # the migration makes it; a database set up otherwise starts now
            cursor = FeedCursor.objects.create(last_seq=relay.head())
        head = relay.head()  # every seq up to it is committed
        changes = state_changes.after(cursor.last_seq, head)
        if changes:
            systems = {s.code: s for s in FeedSystem.objects.filter(active=True)}
            for change in changes:
                created.extend(_queue_change(change, systems, now))
        cursor.last_seq = max(head, cursor.last_seq)
        cursor.save(update_fields=["last_seq"])
    return created


def _queue_change(change: StateChange, systems: dict[str, FeedSystem], now) -> list[int]:
    created = []
    for recipient in change.recipients:
        system = systems.get(recipient.system)
        if system is None or not system.callback_url:
            continue  # unknown, inactive, or it takes no status-backs
        body = status_body(change, recipient.record_id)
        created += _queue(system, DeliveryKind.STATUS, change, recipient.record_id, body, now)
    if change.transfer is not None:
        target = transfer.target_system()
        if target is None:
            # The lifecycle refuses a transfer without a target; it went away since.
            log.error("transfer of %s: no 110 system to send it to", change.tracking_no)
        else:
            body = transfer.transfer_body(change)
            created += _queue(target, DeliveryKind.TRANSFER, change, "", body, now)
    return created


def _queue(
    system: FeedSystem, kind: str, change: StateChange, record_id: str, body: dict, now
) -> list[int]:
    delivery, made = FeedDelivery.objects.get_or_create(
        system=system,
        seq=change.seq,
        record_id=record_id,
        defaults={
            "kind": kind,
            "tracking_no": change.tracking_no,
            "body": body,
            "next_attempt_at": now,
        },
    )
    return [delivery.id] if made else []


# What a status-back says besides the state, in fixed words: never a free text of ours (a unit's
# note may name a person or a number), only units, tracking numbers and 110's answer.
ANSWER_NAMES = {
    "accepted": "已受理",
    "attended": "已出警",
    "handled": "已处置",
    "not_police": "不属于公安职责",
}
NOTES = {
    "dispatch": "已派单：{unit}",
    "redispatch": "已改派：{unit}",
    "overrule_return": "退回未获批准，仍由{unit}办理",
    "pass_down": "已下派：{unit}",
    "sign": "{unit}已签收",
    "start": "{unit}处置中",
    "return": "承办单位退回，待重新派单",
    "resolve": "已办结",
    "close": "已关闭",
    "reopen": "已重新办理",
    "merged_into": "已并入工单{merged_into}",
    "unmerged": "已撤销合并",
    "transfer_to_police": "已移交110",
    "police_answer": "110反馈：{answer}",
    "report_merged": "已并入工单{tracking_no}",
}


def status_body(change: StateChange, record_id: str) -> dict[str, Any]:
    """The status-back (integrations.feeds' docstring): no phone, name or free text in it."""
    note = NOTES.get(change.action, "").format(
        unit=change.unit or "—",
        merged_into=change.merged_into or "",
        answer=ANSWER_NAMES.get(change.extra.get("answer", ""), ""),
        tracking_no=change.tracking_no,
    )
    body: dict[str, Any] = {
        "type": "status",
        "source_id": record_id,
        "tracking_no": change.tracking_no,
        "status": change.status,
        "status_name": change.status_name,
        "action": change.action,
        "at": change.at,
        "seq": change.seq,
        "note": note,
    }
    if change.merged_into:
        body["merged_into"] = change.merged_into
    return body


@ttl_cached(60)
def anyone_listening() -> bool:
    """Whether any active system takes status-backs or transfers. Cached per process: a city
    without feed systems pays nothing per commit; a system saved or deleted is heard at once in
    the process that saved it (`connect_signals`), within a minute in the others, and the sweep
    meanwhile loses nothing (the cursor waits)."""
    takes = ~Q(callback_url="") | ~Q(transfer_url="")
    return FeedSystem.objects.filter(takes, active=True).exists()


def _forget(**_signal) -> None:
    ttl_cache.clear()


def connect_signals() -> None:
    # As command.reference_data does for reference rows: the admin's save or delete of a
    # system takes effect in this process at once (other processes: the TTL above).
    post_save.connect(_forget, sender=FeedSystem, dispatch_uid="feeds-forget-system")
    post_delete.connect(_forget, sender=FeedSystem, dispatch_uid="feeds-forget-system-del")


def on_published(events: Sequence[Any]) -> None:
    """relay.on_published listener: a state change went out; scan for its deliveries (a task;
    in an embedded server the sender thread scans and sends)."""
    if not anyone_listening():
        return
    if any(e.incident_id and state_changes.is_state_change(e.payload) for e in events):
        from integrations.tasks import scan_feeds  # the task module imports this one

        scan_feeds.delay()
