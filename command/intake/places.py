"""Place names written one way: crossings, building numbers. Part of `similarity.normalise`.

「某路与某街交口」, 「某路某街口」 and 「某路某街路口」 become 「某路某街口」; 3#楼, 3栋, 三号楼 and
３号搂 become 3号楼, so two texts about one building share its characters, and two about
different buildings of one compound can be told apart (`buildings`).
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGITS |= {"八": 8, "九": 9}
_CN_NUMBER = "[零一二两三四五六七八九十]{1,3}"

# Digits with any way of writing "building"; Chinese numerals only where they cannot be a count
# (一栋房子 is one house, 十九栋 and 三号楼 are buildings).
_BUILDING_RE = re.compile(
    r"(\d{1,3})\s*(?:#楼|#|号楼|号搂|栋楼|栋|幢)"
    rf"|({_CN_NUMBER})(?:号楼|号搂)"
    r"|([零一二两三四五六七八九]?十[一二三四五六七八九]?)(?:栋楼|栋|幢)"
)
# Between two street names: the joining word goes, and every way of saying "crossing" is 口.
_STREET_END = "(?<=[路街道巷])"
_JOIN_RE = re.compile(f"{_STREET_END}(?:与|和|跟|同|及|、|-|/)")
_CROSSING_RE = re.compile(f"{_STREET_END}(?:十字路口|交叉路口|交叉口|交汇处|交口|交叉|路口|街口)")
_NUMBER_RE = re.compile(r"(\d+)号楼")


def normalise_places(text: str) -> str:
    """Crossings and building numbers of an NFKC, lower-cased text, written one way."""
    text = _BUILDING_RE.sub(_building, text)
    text = _JOIN_RE.sub("", text)
    return _CROSSING_RE.sub("口", text)


def buildings(text_norm: str) -> frozenset[str]:
    """The building numbers a normalised text names (3号楼 -> "3")."""
    return frozenset(_NUMBER_RE.findall(text_norm))


def _building(match: re.Match[str]) -> str:
    return f"{_number(next(group for group in match.groups() if group))}号楼"


def _number(written: str) -> int:
    """12 or 十二 -> 12 (up to 999; Chinese numerals up to 99)."""
    if written.isdigit():
        return int(written)
    tens, _, units = written.partition("十")
    if "十" not in written:
        return _DIGITS[written[-1]] + 10 * (_DIGITS[written[0]] if len(written) > 1 else 0)
    return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)
