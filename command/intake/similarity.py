"""How likely two reports describe the same event: text similarity plus closeness in space and time.

Used by intake's merge step on candidates already pre-filtered by distance, time and category.
"""

import operator
import re
import sys
import unicodedata
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import NamedTuple, TypeVar

from rapidfuzz import fuzz, process

from command.intake import places, problems, text_model

K = TypeVar("K", bound=Hashable)

# From the case table in tests/command/test_similarity.py: same-event pairs score 0.68 and up,
# different events 0.46 and below; 0.6 leans to the same-event side because a wrong merge hides a
# complaint, while a missed one only leaves a duplicate for the operator to merge.
DEFAULT_THRESHOLD = 0.6
SAME_PROBLEM_OFFSET = 0.8
# Where a text names no problem, the text model's category counts when it is this sure (on the
# unseen held-out sets its guesses at 0.9 and above were right about 9 times in 10), and a pair
# it puts in one category starts its text similarity at MODEL_OFFSET (issue 18, round three).
MODEL_SURE = 0.9
MODEL_OFFSET = 0.5

# Phrases every hotline note carries; left in, they make unrelated reports look alike.
# Longest first so 市民来电反映 goes as one piece rather than leaving 反映 behind.
_BOILERPLATE = (
    "市民来电反映",
    "请相关部门尽快处理",
    "请有关部门尽快处理",
    "请相关部门处理",
    "请有关部门处理",
    "希望尽快解决",
    "希望尽快处理",
    "要求尽快处理",
    "请尽快解决",
    "请尽快处理",
    "请核实处理",
    "请协调处理",
    "请予以处理",
    "12345热线",
    "来电人反映",
    "网上留言",
    "群众反映",
    "居民反映",
    "网民反映",
    "市民反映",
    "来电反映",
    "来电人称",
    "市民来电",
    "要求处理",
    "请处理",
    "据反映",
    "来电人",
    # Not after 没, 不 or 还: 还没来电 is a power cut still on.
    "(?<![没不还])来电",
    "转办",
    "工单",
    "反映",
    "市民",
    "诉求",
    "您好",
    "你好",
    "谢谢",
    "麻烦",
)
_BOILERPLATE_RE = re.compile(
    "|".join(
        sorted(
            _BOILERPLATE, key=lambda phrase: len(phrase.replace("(?<![没不还])", "")), reverse=True
        )
    )
)

# The words callers, operators and feeds use for the same common event differ more than their
# characters can show (暖气不热 / 温度只有十几度 / 供热不达标); each family is rewritten to one
# canonical term, so the term itself becomes shared text and marks the event type. Outside these
# families only characters are compared, and two different complaints on one street can then look
# alike through the street name; widen the families from the category list as that shows up.
_NUM = "[0-9零一二两三四五六七八九十几]"
_EVENT_TERMS = {
    "爆管": (
        "(?:自来水管|供水管线|供水管道|供水管|给水管|水管线|水管|管线|管道|管子)(?:疑似|好像)?"
        "(?:爆裂|爆开|爆了|破裂|裂开|裂了|冻裂|冻爆|爆|漏水)",
        "爆管",
        "跑水",
        "冒水",
    ),
    "供热不足": (
        "暖气(?:片)?(?:一直|都|也|根本)?(?:不热|不够热|不太热|温度低|冰凉|拔凉|是凉的|凉)",
        "(?:供热|供暖|采暖|室温|温度)(?:不达标|不合格|不够)",
        f"(?:室内|家里|屋里|家中|屋内)?(?:温度|室温)(?:只有|才|仅|就|不到|不足){_NUM}+度",
        "(?:室温|温度)(?:太低|偏低|低)",
        "(?:家里|屋里|室内|家中)(?:很|太|特别|非常|挺)?冷(?!水)",
    ),
    "噪音扰民": (
        "(?:噪音|噪声)(?:扰民|很大|太大|大)?",
        "扰民",
        "(?:太|很|特别|非常)吵",
        "吵得",
        "吵闹",
    ),
    "路面坑洞": (
        "(?:路面|马路上|马路|道路|路上)?有?(?:一个|个)?(?:大坑|深坑|坑洞|坑槽|坑洼|塌陷)",
        # A bare 坑 only after a road word or 有个: 商家坑人 is a consumer complaint, not a pothole.
        "(?:(?:路面|马路上|马路|道路|路上)有?|有)(?:一个|个)?坑",
    ),
    "树木倒伏": (
        "(?:一棵|一颗)?(?:大树|树木|树干|树)(?:被风)?(?:刮倒|倒伏|倒了|倒下|折断|断了)",
        "倒树",
    ),
    "垃圾未清运": (
        "垃圾(?:多日|好几天|几天)?(?:未|没人|没有|没|无人)(?:清运|清理|拉走|运走|收)",
        "垃圾(?:堆积|成堆|堆成山|满溢|外溢|溢出|满了)",
    ),
    "停水": ("停水", "没水", "没有水", "断水", "不来水"),
    "路灯不亮": ("路灯(?:不亮|坏了|损坏|熄灭|没亮)",),
    "排水堵塞": (
        "(?:下水道|下水井|排水管|下水管|排水口|雨水口)(?:又|都)?(?:堵塞|堵了|堵住|不通|不畅)",
        "污水(?:外溢|外冒|冒出|横流|漫出)",
        "(?:返水|反水|冒污水)",
    ),
    # Missing only: a broken or a sunken cover is another job (problems.DETAILS).
    "井盖缺失": ("井盖(?:丢失|缺失|没了|被偷|不见了)", "没有井盖"),
    "燃气泄漏": ("(?:燃气|煤气|天然气)(?:泄漏|泄露|漏气|味道?很?(?:大|重|浓))", "漏气"),
    "停电": ("停电", "断电", "没电", "没有电"),
}
_EVENT_NAMES = list(_EVENT_TERMS)
_EVENT_RE = re.compile(
    "|".join(f"(?P<e{i}>{'|'.join(patterns)})" for i, patterns in enumerate(_EVENT_TERMS.values()))
)

# After NFKC: keep digits, Latin letters and CJK ideographs; everything else (punctuation,
# whitespace, emoji, symbols) goes.
_DROP_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def normalise(text: str) -> str:
    """Reduce a report's text to the characters that say what happened and where."""
    text = places.normalise_places(unicodedata.normalize("NFKC", text or "").lower())
    text = _DROP_RE.sub("", text)
    text = _BOILERPLATE_RE.sub("", text)
    return _EVENT_RE.sub(lambda m: _EVENT_NAMES[int(m.lastgroup[1:])], text)


def _grams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset((text,))
    return frozenset(map(operator.add, text, text[1:]))  # text[i] + text[i + 1], in C


class Subject(NamedTuple):
    """What a text is about: its problem's key (command.intake.problems, "" for none) and the
    details of it, and where exactly: the building numbers, units and sides of the street it
    names (command.intake.places)."""

    problem: str
    buildings: frozenset[str]
    units: frozenset[str] = frozenset()
    sides: frozenset[str] = frozenset()
    details: frozenset[str] = frozenset()
    # Whether it names any of the four: most texts name none, and the look-up asks per candidate.
    marked: bool = False
    # The text says it is about another one than the one known (另一个井盖, 又一处, 不是刚才那个).
    another: bool = False
    # Where it names no problem: the category the text model is sure of (MODEL_SURE), else "".
    guessed: str = ""

    def apart(self, other: "Subject") -> bool:
        """Whether the two name different spots or faults for sure: both name buildings, units,
        sides or details of their problem, and none in common."""
        return (
            _disjoint(self.buildings, other.buildings)
            or _disjoint(self.units, other.units)
            or _disjoint(self.sides, other.sides)
            or _disjoint(self.details, other.details)
        )


# A reporter who knows of one and tells of another (另一个, 又一处, 还有一根, 不是刚才报的那个).
_MEASURE = "(?:个|处|根|台|部|棵|口|块|盏|基|段|家|辆)"
_ANOTHER_RE = re.compile(
    f"另(?:外)?一{_MEASURE}|又一{_MEASURE}|还有一{_MEASURE}|"
    "不是(?:之前|刚才|上午|下午|昨天|前面|早上|早先)?(?:报|说|反映)?的?那"
)


def _disjoint(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and a.isdisjoint(b)


# Equal subjects share one object: tens of thousands of prepared texts hold a few hundred.
_SUBJECTS: dict[Subject, Subject] = {}


def _event_terms(text: str) -> Subject:
    key = problems.find(text).key
    where = (
        places.buildings(text),
        # Units tell two problems apart only for what serves a unit (a lift, a drain stack).
        places.units(text) if problems.unit_scoped(key) else frozenset(),
        places.sides(text),
        problems.details(text, key) if key else frozenset(),
    )
    guessed = "" if key else _model_category(text)
    subject = Subject(key, *where, any(where), _ANOTHER_RE.search(text) is not None, guessed)
    return _SUBJECTS.setdefault(subject, subject)


def _model_category(text: str) -> str:
    """The text model's category for a text naming no problem, when it is sure of one."""
    guess = text_model.guess(text) if text else None
    if guess is None or guess.probability < MODEL_SURE or guess.code == "other":
        return ""
    return guess.code


_bigrams = lru_cache(maxsize=8192)(_grams)
_events = lru_cache(maxsize=8192)(_event_terms)


def _combine(grams_a: frozenset[str], events_a: Subject, b: str, partial: float) -> float:
    """Blend bigram containment, partial_ratio (0-100) and the event terms into [0, 1]."""
    grams_b = _bigrams(b)
    # Containment, not Dice: a ten-character SMS inside a sixty-character note is a full match.
    containment = len(grams_a & grams_b) / min(len(grams_a), len(grams_b))
    return _blend(containment, events_a, _events(b), partial)


def _blend(containment: float, events_a: Subject, events_b: Subject, partial: float) -> float:
    """Rises with containment and partial: at partial 100 it bounds every partial's result."""
    offset, factor = _event_weights(events_a, events_b)
    if offset:
        return offset + factor * containment  # one problem: the wording only ranks
    return offset + factor * (0.5 * containment + 0.5 * partial / 100)


def _event_weights(events_a: Subject, events_b: Subject) -> tuple[float, float]:
    """(offset, factor) that turn the characters' similarity into the text's: offset + factor x.

    (0.0, 1.0) and (0.0, 0.3) give to the last bit what `x` and `0.3 * x` give, for x >= 0.
    """
    same = problems.same_problem(events_a.problem, events_b.problem)
    if same is not False and events_a.marked and events_b.marked and events_a.apart(events_b):
        # One problem in two buildings or units of a compound (3号楼 and 5号楼, 2单元 and
        # 5单元), on two sides of a street (东侧, 路北), or two faults of one kind of thing
        # (a lift stuck and one whose door will not close): two incidents, whatever the wording
        # shares.
        same = False
    if same and events_a.another:
        # The report says it is not about the one already known: not that incident.
        same = False
    if events_a.guessed and events_a.guessed == events_b.guessed:
        # Neither names a problem the lexicon knows, and the text model is sure both are of one
        # category (the register gap: 过了期的牛奶还摆着卖 against 销售变质食品): weaker evidence
        # than one problem, so the wording keeps a say (x = containment; near and recent, x >= 0
        # does; at 150 m and 5 h it takes x >= 0.2). Not where one names a problem: a category
        # holds many (a leaking radiator is not the cold one next door), so the characters
        # decide there, as before.
        return (MODEL_OFFSET, 1 - MODEL_OFFSET)
    if same is None:
        # Agreeing categories are no evidence here: when the lexicon was made to name nothing,
        # counting them merged a third to a half of the hard negatives of kinds (b) and (c)
        # (README, "Merge quality").
        return (0.0, 1.0)
    if same:
        # One problem in other words (an SMS and an operator's note share few characters):
        # at 0.8 + 0.2 x, a pair within radius and window reaches the threshold on its own.
        # x is the bigram containment alone: partial_ratio, the costly part, is not needed.
        return (SAME_PROBLEM_OFFSET, 1 - SAME_PROBLEM_OFFSET)
    # Both name a problem and not the same one: shared street names must not carry the pair.
    # At 0.3, even identical wording elsewhere and 0 m / 0 min apart stays at 0.51 < threshold.
    return (0.0, 0.3)


def text_similarity(a_norm: str, b_norm: str) -> float:
    """Similarity in [0, 1] of two texts already passed through normalise(); empty → 0.0."""
    if not a_norm or not b_norm:
        return 0.0
    partial = fuzz.partial_ratio(a_norm, b_norm)
    return _combine(_bigrams(a_norm), _events(a_norm), b_norm, partial)


# Text says what happened, so it weighs most; distance and time only add confidence that two
# similar texts are one event (both are already pre-filtered, so they separate little on their
# own). With these weights a report right next to another and within minutes still needs a text
# similarity of 0.43 to reach DEFAULT_THRESHOLD, and one at 150 m / 5 h needs about 0.6.
_TEXT_WEIGHT = 0.7
_DISTANCE_WEIGHT = 0.2
_TIME_WEIGHT = 0.1


def merge_score(
    text_sim: float, distance_m: float, minutes: float, radius_m: float, window_minutes: float
) -> float:
    """Merge score in [0, 1]; 0.0 when outside the radius or the time window."""
    if not (0 <= distance_m <= radius_m) or not (0 <= minutes <= window_minutes):
        return 0.0
    score = _TEXT_WEIGHT * text_sim + _closeness(distance_m, minutes, radius_m, window_minutes)
    return min(1.0, max(0.0, score))


def _closeness(distance_m: float, minutes: float, radius_m: float, window_minutes: float) -> float:
    """The distance and time part of merge_score, for a candidate within radius and window."""
    near = 1 - distance_m / radius_m if radius_m > 0 else 1.0
    recent = 1 - minutes / window_minutes if window_minutes > 0 else 1.0
    return _DISTANCE_WEIGHT * near + _TIME_WEIGHT * recent


def best_match(
    query_norm: str,
    candidates: Sequence[tuple[K, str, float, float]],
    radius_m: float,
    window_minutes: float,
) -> tuple[K, float, float] | None:
    """The candidate (key, text_norm, distance_m, minutes) with the highest merge score.

    Returns (key, merge score, text similarity), or None when there are no candidates.
    """
    if not candidates:
        return None
    texts = [text for _, text, _, _ in candidates]
    # One C++ pass for the edit distances, the query's sets once; .tolist() because iterating
    # numpy scalars costs more than the arithmetic done on them.
    partials = process.cdist([query_norm], texts, scorer=fuzz.partial_ratio)[0].tolist()
    grams, events = _bigrams(query_norm), _events(query_norm)
    best: tuple[K, float, float] | None = None
    for (key, text, distance_m, minutes), partial in zip(candidates, partials, strict=True):
        sim = _combine(grams, events, text, partial) if query_norm and text else 0.0
        score = merge_score(sim, distance_m, minutes, radius_m, window_minutes)
        if best is None or score > best[1]:
            best = (key, score, sim)
    return best


# --- many look-ups against the same texts (command.candidates) ---------------------------------


class PreparedText(NamedTuple):
    """A normalised text with the parts scoring needs, computed once by `prepare`."""

    norm: str
    grams: frozenset[str]
    events: Subject


def prepare(text_norm: str) -> PreparedText:
    """A text passed through normalise(), ready to be scored many times."""
    # Interned, every incident's 水管 is one string: the index of open incidents stays small.
    grams = frozenset(sys.intern(gram) for gram in _grams(text_norm))
    events = _event_terms(text_norm)
    return PreparedText(text_norm, grams, events)


def best_prepared(
    query_norm: str,
    candidates: Sequence[tuple[K, PreparedText, float, float]],
    radius_m: float,
    window_minutes: float,
    floor: float,
) -> tuple[K, float, float] | None:
    """What best_match returns for candidates within radius and window, when its best scores at
    least `floor`; None otherwise.

    partial_ratio, the costly part, runs only for a candidate whose score could still reach
    `floor` and beat the best so far: `_blend` at partial 100 bounds its text similarity.
    """
    if not candidates:
        return None
    query_grams, query_events = _grams(query_norm), _events(query_norm)
    query_size = len(query_grams)
    best: tuple[K, float, float] | None = None
    best_score = floor
    # What _closeness, _blend and merge_score compute, written out: on this loop their calls
    # cost more than their arithmetic.
    for key, (text, grams, events), distance_m, minutes in candidates:
        near = 1 - distance_m / radius_m if radius_m > 0 else 1.0
        recent = 1 - minutes / window_minutes if window_minutes > 0 else 1.0
        closeness = _DISTANCE_WEIGHT * near + _TIME_WEIGHT * recent
        sim = 0.0
        if query_norm and text:
            size = len(grams)
            containment = len(query_grams & grams) / (size if size < query_size else query_size)
            offset, factor = _event_weights(query_events, events)
            if offset:  # one problem: _blend's score, without partial_ratio
                sim = offset + factor * containment
                score = _TEXT_WEIGHT * sim + closeness
                score = 0.0 if not score > 0.0 else score if score < 1.0 else 1.0
                if score > best_score or (score == best_score and best is None):
                    best, best_score = (key, score, sim), score
                continue
            # 0.5 * containment + 0.5 is _blend's characters' part at partial 100, to the bit.
            # Unclamped, the bound is at least the clamped score (both are >= 0 here).
            bound = _TEXT_WEIGHT * (offset + factor * (0.5 * containment + 0.5)) + closeness
            if bound < best_score or (bound == best_score and best is not None):
                continue
            partial = fuzz.partial_ratio(query_norm, text)
            sim = offset + factor * (0.5 * containment + 0.5 * partial / 100)
        score = _TEXT_WEIGHT * sim + closeness
        score = 0.0 if not score > 0.0 else score if score < 1.0 else 1.0  # min(1, max(0, score))
        if score > best_score or (score == best_score and best is None):
            best, best_score = (key, score, sim), score
    return best
