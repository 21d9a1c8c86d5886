"""Transfer to 110 (移交110), the adapter's side: where transfers go, what the POST says, and
110's answer (a record whose 移交单号 `yjdh` names our tracking number and whose 反馈状态 `fkzt`
says how far they are) recorded on the incident's timeline through command.police.

The lifecycle's `transfer_to_police` closes the incident as transferred; the status-back scan
(integrations.feeds.status_back) finds the transfer in the outbox and queues the POST as a
delivery of kind `transfer`, retried like every delivery. 110's answers:

    已受理, 已出警, 已处置   a note on the timeline; the incident stays closed (110 handles it)
    不属于公安职责          a note, and the incident is reopened into the dispatch queue
                          (unless it has been reopened or closed otherwise since)
"""

from __future__ import annotations

from typing import Any

from command import police
from command.errors import AlreadyAnswered, CommandError
from command.privacy import mask_text
from command.state_changes import StateChange
from integrations.models import FeedSystem, FeedSystemKind

# 110's 反馈状态 and the core's names for them.
FKZT = {
    "已受理": police.ACCEPTED,
    "已出警": police.ATTENDED,
    "已处置": police.HANDLED,
    "不属于公安职责": police.NOT_POLICE,
}
MAX_NOTE = 500


def target_system() -> FeedSystem | None:
    """The 110 system transfers go to: the first active one with a transfer address."""
    return (
        FeedSystem.objects.filter(active=True, kind=FeedSystemKind.POLICE_110)
        .exclude(transfer_url="")
        .order_by("code")
        .first()
    )


def target_name() -> str | None:
    """CITYDESK_POLICE_TRANSFER_TARGET: the name the lifecycle records a transfer as going to."""
    system = target_system()
    return system.name if system else None


def transfer_body(change: StateChange) -> dict[str, Any]:
    """The transfer (integrations.feeds' docstring). The summary and address are the outbox's,
    masked; no reporter's phone or name: 110 calls back through us if it needs them."""
    facts = change.transfer
    assert facts is not None
    return {
        "type": "transfer",
        "tracking_no": change.tracking_no,
        "category": facts.category,
        "summary": facts.summary,
        "address": facts.address,
        "lat": facts.lat,
        "lon": facts.lon,
        "reason": facts.reason,
        "at": change.at,
        "seq": change.seq,
    }


def receive_answer(system: FeedSystem, record: dict) -> dict:
    """Record one answer of 110 to a transfer. Returns the per-record result of the feeds'
    batch answer, without its `index` (the adapter adds it, and `dead_letter` when not ok):
    {"id", "ok": true, "tracking_no", "answer"[, "duplicate": true]} or {"id", "ok": false,
    "error"}."""
    record_id = str(record.get("jjdbh") or "")[:128]
    tracking_no = str(record.get("yjdh") or "").strip()
    fkzt = str(record.get("fkzt") or "").strip()
    if not tracking_no:
        return _refused(record_id, "yjdh (our tracking number) is missing")
    answer = FKZT.get(fkzt)
    if answer is None:
        return _refused(record_id, f"unknown fkzt {fkzt[:20]!r}; expected one of {list(FKZT)}")
    note = f"110反馈：{fkzt}"
    detail = mask_text(str(record.get("fknr") or "").strip())[:MAX_NOTE]
    if detail:
        note = f"{note}。{detail}"
    data = {"system": system.code, "record": record_id, "fkzt": fkzt}
    try:
        police.record_answer(
            tracking_no, answer, note=note, actor_label=f"feed:{system.code}", data=data
        )
    except AlreadyAnswered:
        return {"id": record_id, "ok": True, "tracking_no": tracking_no, "answer": fkzt,
                "duplicate": True}  # fmt: skip
    except CommandError as refused:
        return _refused(record_id, refused.message)
    return {"id": record_id, "ok": True, "tracking_no": tracking_no, "answer": fkzt}


def _refused(record_id: str, reason: str) -> dict:
    return {"id": record_id, "ok": False, "error": reason}
