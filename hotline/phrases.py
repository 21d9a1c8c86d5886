"""The operator's common phrases (常用语), each one key away in the call form (Alt+1 ... Alt+9):
the words 12345 notes are written in, so a note is typed in a few keys and reads the same
whoever took the call. A city changes them here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PHRASES = (
    _("市民来电反映："),
    _("位于"),
    _("已持续"),
    _("影响居民正常生活，"),
    _("存在安全隐患，"),
    _("来电人要求尽快处理。"),
    _("来电人要求回复处理结果。"),
    _("来电人不愿透露姓名。"),
    _("请相关部门核实处理。"),
)
