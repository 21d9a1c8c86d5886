"""What the consoles' pages say, in Chinese first (gettext): the actions' names, and each domain
error (command.errors) told as a person at the console needs to read it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from command.errors import CommandError

ACTION_LABELS = {
    "created": gettext_lazy("受理"),
    "report_merged": gettext_lazy("合并来件"),
    "dispatch": gettext_lazy("派单"),
    "sign": gettext_lazy("签收"),
    "start": gettext_lazy("开始处置"),
    "note": gettext_lazy("进展反馈"),
    "request_extension": gettext_lazy("申请延期"),
    "approve_extension": gettext_lazy("批准延期"),
    "reject_extension": gettext_lazy("驳回延期"),
    "return": gettext_lazy("退回"),
    "resolve": gettext_lazy("办结"),
    "close": gettext_lazy("关闭"),
    "reopen": gettext_lazy("重启"),
    "pass_down": gettext_lazy("下派街道"),
    "assist": gettext_lazy("增加协办单位"),
    "sign_assist": gettext_lazy("协办签收"),
    "finish_assist": gettext_lazy("协办完成"),
    "issue_notice": gettext_lazy("发督办单"),
    "reply_notice": gettext_lazy("回复督办单"),
}


def error_text(error: CommandError) -> str:
    """The page's message for `error`: by its code, so the wording stays in the catalog."""
    code = error.code
    if code == "stale_update":
        return _(
            "这张工单刚被其他人更新过，您提交的操作没有执行。下面是工单的最新状态，请核对后再操作。"
        )
    if code == "handed_back":
        return _("这张工单刚被本单位其他人退回，或已改派给其他单位，您的操作没有执行。")
    if code == "illegal_transition":
        return _("工单当前的状态不允许这个操作（可能已有人先处理了）。下面是工单的最新状态。")
    if code == "note_required":
        return _("请填写说明或理由。")
    if code == "extension_not_later":
        return _("申请的新时限必须晚于当前办理时限。")
    if code == "invalid_photo":
        return _("上传的文件不是完整的 PNG 或 JPEG 图片，请换一张照片。")
    if code == "too_large":
        return _("照片太大，超过了大小限制。")
    if code == "not_found":
        return _("没有找到这张工单，或者它不属于您的单位。")
    if code == "forbidden":
        return _("您无权进行这个操作：单位工作台只供承办单位人员处理本单位的工单。")
    return _("提交的内容不完整或有误，请检查后重试（%(fields)s）。") % {
        "fields": "、".join(error.fields) or error.code
    }
