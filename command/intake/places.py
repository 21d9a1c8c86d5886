"""Place names written one way: crossings, building numbers. Part of `similarity.normalise`.
`place_keys` reads the place an address names, for reports given by address alone.

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
# Not 街口: after 南七道 it is the street's own 街 (南七道街口 is already written one way).
_CROSSING_RE = re.compile(f"{_STREET_END}(?:十字路口|交叉路口|交叉口|交汇处|交口|交叉|路口)")
_NUMBER_RE = re.compile(r"(\d+)号楼")


def normalise_places(text: str) -> str:
    """Crossings and building numbers of an NFKC, lower-cased text, written one way."""
    text = _BUILDING_RE.sub(_building, text)
    text = _JOIN_RE.sub("", text)
    return _CROSSING_RE.sub("口", text)


def buildings(text_norm: str) -> frozenset[str]:
    """The building numbers a normalised text names (3号楼 -> "3")."""
    return frozenset(_NUMBER_RE.findall(text_norm))


# The unit (单元) of a building: 2单元 and 5单元 of one block are two stairwells, two lifts, two
# drain stacks.
_UNIT_RE = re.compile(rf"(\d{{1,2}}|{_CN_NUMBER})单元")
# The side of a street or a landmark (东侧, 路北, 西边); 非南侧, 不是南边: the side it is not.
# Not 东站 or 南岗: a side word needs its 侧, 边, 面 or 头, or 路 before it.
# 路西 alone only before what follows a side (路北机动车道), not as a street's start
# (友谊路西十六道街).
_SIDE_RE = re.compile(
    "(?:路|道)([东西南北])(?:侧|边|面|(?=的|有|一|那|这|机动|人行|便道|辅路|$))"
    "|([东西南北])(?:侧|边|面|头)(?!门)"
)
_SIDE_NOT = ("非", "不是", "不在")


def units(text_norm: str) -> frozenset[str]:
    """The units (单元) a normalised text names (2单元, 二单元 -> "2")."""
    return frozenset(str(_number(found)) for found in _UNIT_RE.findall(text_norm))


def sides(text_norm: str) -> frozenset[str]:
    """The sides of a street a normalised text places itself on (东, 西, 南, 北), except those
    it denies (非南侧)."""
    found = set()
    for match in _SIDE_RE.finditer(text_norm):
        before = text_norm[max(0, match.start() - 2) : match.start()]
        if not before.endswith(_SIDE_NOT):
            found.add(match.group(1) or match.group(2))
    return frozenset(found)


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


# --- the place an address names (reports without a point) ------------------------------------

# The city, then a county-level district (南岗区, 依兰县), not a compound (建设小区) or a campus.
_ADMIN_RE = re.compile(
    r"^(?:黑龙江省?)?(?:哈尔滨市?|哈市)?(?:[\u4e00-\u9fff]{1,3}(?<![小社校园厂景街矿营])(?:区|县))?"
)
# What is finer than a place (a building, a unit, a door, a side) or vaguer (某, 附近): cut there.
_DETAIL_RE = re.compile(
    r"\d+号楼|\d+单元|\d+号|\d+室|某|附近|一带|周边|门前|门口|对面|旁边|东侧|西侧|南侧|北侧|"
    r"路边|院内|楼下|楼前|楼道|处$"
)
_STREET_RE = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:大街|大道|路|街|巷)")
# A landmark's generic tail: 哈工大公交站 and 哈工大站 are both 哈工大.
_GENERIC_TAIL_RE = re.compile(r"(?:公交站|车站|站点|站|广场|正门|大门|门)$")
# A facility or part of a place (某家园换热站, 某岛景区坡道): people name the place without it.
_PART_TAIL_RE = re.compile(
    r"(?:换热站|热力站|锅炉房|泵站|变电站|配电室|垃圾站|垃圾点|收集点|公交站|车站|站点|景区|坡道|"
    r"路段|地段|家属区|家属楼|院|高层|住宅楼|住宅|居民楼|大楼|广场|正门|大门)$"
)
BOTH = "+"  # in a key: every part named (a crossing's two streets); normalised text has no "+"
MIN_PLACE = 3  # shorter keys (工大, 西街) turn up in texts by chance


def place_keys(address_norm: str) -> tuple[str, ...]:
    """Where a normalised address is, as strings another report's text would contain: the
    address without city and district, cut before what is finer or vaguer than a place (3号楼,
    东侧, 某), and the landmark or compound after its street (西大直街哈工大公交站 -> 哈工大).

    A street alone (尚志大街) is a key too: long streets make it coarse, so a report matched by
    it must still name the same problem (the merge score decides).
    """
    core = _ADMIN_RE.sub("", address_norm, count=1)
    detail = _DETAIL_RE.search(core)
    if detail is not None:
        core = core[: detail.start()]
    keys = [core] if len(core) >= MIN_PLACE else []
    street = _STREET_RE.match(core)
    if street is None:
        keys.extend(_without_parts(core))
        return tuple(keys)
    if street.end() < len(core):
        landmark = _GENERIC_TAIL_RE.sub("", core[street.end() :])
        # A second street or a crossing (石头道街口) is no landmark: it names a line, not a spot.
        if landmark.endswith(("路", "街", "口", "巷", "道")):
            return tuple(keys) + _crossed(street.group(), core[street.end() :])
        if len(landmark) >= MIN_PLACE:
            keys.append(landmark)
            keys.extend(_without_parts(landmark))
        # The street too: a caller may name the landmark another way (黑龙江大学 / 黑大) or not
        # at all; along the street the problem must still agree.
        if len(street.group()) >= MIN_PLACE:
            keys.append(street.group())
    return tuple(dict.fromkeys(keys))


def _crossed(first: str, rest: str) -> tuple[str, ...]:
    """A crossing of two streets as both its streets (群力大道+丽江路): callers name either first,
    and write the crossing their own way (A路靠近B街一侧, A路/B街, B街A路口)."""
    second = rest.removesuffix("口")
    if _STREET_RE.fullmatch(second) is None:
        return ()
    return (f"{first}{BOTH}{second}",)


def names(text_norm: str, key: str) -> bool:
    """Whether a normalised text names the place `key` (place_keys): the key itself, or, for a
    crossing, both its streets."""
    if BOTH not in key:
        return key in text_norm
    return all(part in text_norm for part in key.split(BOTH))


def _without_parts(place: str) -> list[str]:
    """The place without its facility or part (盛和家园换热站 -> 盛和家园), as long as a place
    stays."""
    shorter = []
    while (cut := _PART_TAIL_RE.sub("", place)) != place and len(cut) >= MIN_PLACE:
        shorter.append(cut)
        place = cut
    return shorter
