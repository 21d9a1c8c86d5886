"""What the hotline texts citizens, and how: every text is queued in the SMS outbox
(integrations.sms.outbox) inside the caller's transaction and sent after the commit, once per
key, so a retried webhook or a repeated scan never texts anyone twice.

SMS texts are not pages: they are written in Chinese here, not through gettext.
"""

from __future__ import annotations

from django.utils import timezone, translation

from command import police
from command.models import Incident, IncidentStatus, Report
from hotline import phones
from integrations.sms import outbox

SIGNATURE = "【12345热线】"
HELP = (
    f"{SIGNATURE}您好！直接发送问题描述（如地点和情况）即可反映诉求；"
    "发送“查询 工单编号”（或“CX 工单编号”）了解办理进度。紧急情况请拨打110、119、120。"
)
RECEIPT = (
    f"{SIGNATURE}您反映的问题已受理，工单编号{{tracking_no}}。"
    "发送“查询 {tracking_no}”可了解办理进度。"
)
HELD = f"{SIGNATURE}您的短信已收到。因短时间内来信较多，将由话务员人工核实后受理。"
INVALID = f"{SIGNATURE}您的短信未能受理，请补充问题描述后重新发送，或拨打12345。"
NOT_FOUND = f"{SIGNATURE}未查到与本机号码相关的工单{{tracking_no}}，请核对编号，或拨打12345咨询。"
# A transferred incident is closed here but handled on by the police: "closed" would mislead.
TRANSFERRED = "已移交110处置"
PROGRESS = (
    f"{SIGNATURE}工单{{tracking_no}}：{{status}}；承办单位：{{unit}}；办理时限：{{deadline}}。"
)
SURVEY = (
    f"{SIGNATURE}您反映的问题（工单{{tracking_no}}）已办结。请回复数字评价："
    "1 满意，2 基本满意，3 不满意。"
)
THANKS = f"{SIGNATURE}感谢您的评价！"
REOPENED = f"{SIGNATURE}感谢您的反馈。工单{{tracking_no}}已重新交办，值班室将跟进处理。"
UNSATISFIED = f"{SIGNATURE}感谢您的反馈，值班室将跟进工单{{tracking_no}}。"


def send_receipt(report: Report) -> None:
    """Queue the tracking-number receipt for `report` (a text, or a call an operator saved).
    Safe inside the caller's transaction: the row is written there and sent after the commit.
    A reporter without a mobile number gets none."""
    if not phones.can_text(report.reporter_phone):
        return
    text = RECEIPT.format(tracking_no=report.incident.tracking_no)
    send(report.reporter_phone, text, key=f"receipt:{report.id}", purpose="receipt")


def send(phone: str, text: str, *, key: str, purpose: str) -> None:
    """Queue one text to a citizen, once per `key`."""
    outbox.queue(phones.canonical(phone), text, key=key, purpose=purpose)


def progress(incident: Incident) -> str:
    """The answer to a progress query: state, responsible unit, deadline (in Chinese, whatever
    language the request that asked was in)."""
    deadline = "—"
    if incident.deadline is not None:
        deadline = f"{timezone.localtime(incident.deadline):%Y-%m-%d %H:%M}"
    with translation.override("zh-hans"):
        status = str(IncidentStatus(incident.status).label)
        unit = incident.unit.name if incident.unit_id else "待派单"
        if police.closed_by_transfer(incident):
            status, unit = TRANSFERRED, "110"
        return PROGRESS.format(
            tracking_no=incident.tracking_no, status=status, unit=unit, deadline=deadline
        )
