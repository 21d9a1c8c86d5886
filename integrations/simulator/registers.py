"""How each source writes a report (the feed simulator, bench.evalset): the 12345 operator's
summary, a citizen's SMS (dialect, typos, no category), a web form with its own category, a 110
police record, a 12319 urban-management case. Each register names places its own way and varies
its sentences.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from integrations.simulator.places import DISTRICTS, Place
from integrations.simulator.problems import Problem

CHINESE_DIGITS = "零一二三四五六七八九十"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"

# Homophones and slips seen in citizens' texts (输入法 errors), applied to SMS only.
TYPOS = (
    ("暖气", "暖器"),
    ("已经", "以经"),
    ("现在", "现再"),
    ("什么", "神马"),
    ("没有", "木有"),
    ("水管", "水官"),
    ("井盖", "井概"),
    ("路灯", "路登"),
    ("一直", "一只"),
    ("垃圾", "拉圾"),
    ("小区", "小曲"),
    ("停电", "停点"),
    ("号楼", "号搂"),
    ("师傅", "师父"),
    ("赶紧", "赶进"),
    ("到底", "倒底"),
    ("电梯", "电题"),
    ("煤气", "媒气"),
    ("红绿灯", "红路灯"),
    ("在", "再"),
)


@dataclass(frozen=True)
class Detail:
    """The facts one report may mention, drawn once per report."""

    n: int  # building
    u: int  # unit
    deg: int
    days: int
    hours: int
    at: datetime
    near: str = ""  # a place nearby that a caller may name instead

    def fill(self, phrase: str) -> str:
        return phrase.format(n=self.n, u=self.u, deg=self.deg, days=self.days, hours=self.hours)


def chinese_number(n: int) -> str:
    if n <= 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{CHINESE_DIGITS[tens] if tens > 1 else ''}十{CHINESE_DIGITS[ones] if ones else ''}"


# --- places ----------------------------------------------------------------------------------


def _short(street: str) -> str:
    """How people shorten a street: 西十二道街 → 十二道街, 中央大街 → 中央街."""
    if street.startswith(("西", "东", "南", "北")) and "道街" in street:
        return street[1:]
    return street.replace("大街", "街") if len(street) > 3 else street


def cross_phrase(rng: random.Random, place: Place, register: str) -> str:
    a, b = place.streets
    if rng.random() < 0.3:
        a, b = b, a
    forms = {
        "formal": (
            f"{a}与{b}交口",
            f"{a}与{b}交叉口",
            f"{a}和{b}交汇处",
            f"{a}{b}路口",
            f"{a}与{b}路口处",
            f"{a}（近{b}）",
            f"{a}靠近{b}一侧",
        ),
        "casual": (
            f"{_short(a)}{_short(b)}口",
            f"{a}和{b}那个路口",
            f"{_short(a)}跟{_short(b)}交叉那",
            f"{a}{b}街口",
            f"{_short(a)}靠{_short(b)}那块儿",
        ),
        "terse": (f"{a}/{b}", f"{a}与{b}交口", f"{a}-{b}路口", f"{a}{b}口"),
    }
    return rng.choice(forms[register])


def compound_phrase(rng: random.Random, place: Place, register: str, detail: Detail) -> str:
    name = rng.choice(place.names) if register == "casual" else place.names[0]
    n, u = detail.n, detail.u
    forms = {
        "formal": (
            f"{name}{n}号楼{u}单元",
            f"{name}{n}栋{u}单元",
            f"{name}第{n}栋",
            f"{name}{n}号楼",
            f"{name}{n}号楼{u}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            f"{name}{n}#楼",
        ),
        "casual": (
            f"{name}{n}号楼",
            f"{name}{chinese_number(n)}号楼",
            f"我家{name}{n}栋",
            f"{name}{n}-{u}",
            f"{name}{n}号楼{chinese_number(u)}单元",
        ),
        "terse": (f"{name}{n}号楼", f"{name}{n}栋", f"{name}{n}号楼{u}单元"),
    }
    return rng.choice(forms[register])


def landmark_phrase(rng: random.Random, place: Place, register: str) -> str:
    name = rng.choice(place.names) if register == "casual" else place.names[0]
    side = rng.choice(("东侧", "西侧", "南门", "北门", "对面", "旁边"))
    forms = {
        "formal": (f"{name}附近", f"{name}门前", f"{name}周边", f"{name}{side}"),
        "casual": (f"{name}那", f"{name}边上", f"{name}门口", f"{name}这块"),
        "terse": (f"{name}周边", f"{name}{side}", name),
    }
    return rng.choice(forms[register])


def place_phrase(rng: random.Random, place: Place, register: str, detail: Detail) -> str:
    # Drawn whether or not there is a place nearby, so that two reports worded from one seed
    # stay alike in every other word.
    by_neighbour = rng.random() < 0.15
    if by_neighbour and detail.near:
        return near_phrase(rng, detail.near, register)
    if place.kind == "cross":
        phrase = cross_phrase(rng, place, register)
    elif place.kind == "compound":
        phrase = compound_phrase(rng, place, register, detail)
    else:
        phrase = landmark_phrase(rng, place, register)
    if register != "casual" and rng.random() < 0.4:
        phrase = DISTRICTS[place.district] + phrase
    return phrase


def near_phrase(rng: random.Random, near: str, register: str) -> str:
    """A place named by what is near it: people name the landmark they know."""
    way = rng.choice(("往东", "往西", "往南", "往北"))
    forms = {
        "formal": (f"{near}附近", f"距{near}约百米处", f"{near}{way}约100米"),
        "casual": (f"{near}{way}一百来米", f"离{near}不远", f"{near}旁边那"),
        "terse": (f"{near}附近", f"{near}{way}100米"),
    }
    return rng.choice(forms[register])


def address_of(rng: random.Random, place: Place, detail: Detail) -> str:
    """The address field a source fills beside its text."""
    # An address field names the place itself, never a neighbour (which may lie elsewhere).
    own = place_phrase(rng, place, "terse", replace(detail, near=""))
    district = DISTRICTS[place.district]
    return "哈尔滨市" + district + own.removeprefix(district)


# --- the registers ---------------------------------------------------------------------------


def hotline(rng: random.Random, problem: Problem, place: Place, detail: Detail) -> str:
    where = place_phrase(rng, place, "formal", detail)
    what = detail.fill(rng.choice(problem.formal))
    impact = detail.fill(rng.choice(problem.impact))
    since = rng.choice(
        (
            f"自{detail.days}天前起",
            f"今日{detail.at.hour}时许",
            "从昨晚开始",
            f"近{detail.hours}个小时",
            "",
        )
    )
    ask = rng.choice(
        (
            "请相关部门尽快处理。",
            "诉求：尽快维修。",
            "希望有关部门核实处理。",
            "请求派人查看。",
            "要求尽快解决并回复。",
            "",
        )
    )
    caller = rng.choice(
        ("市民", "诉求人", f"{rng.choice(SURNAMES)}女士", f"{rng.choice(SURNAMES)}先生", "一位市民")
    )
    opening = f"{since}，" if since else ""
    forms = (
        f"{caller}来电反映：{where}{since}{what}，{impact}。{ask}",
        f"来电人称：{where}{what}，{impact}。{ask}",
        f"{caller}反映{where}{what}。{impact}，{ask}",
        f"{opening}{caller}称其位于{where}的住处{what}，{impact}。{ask}",
        f"{caller}来电，反映{where}{what}。经询问，{impact}。{ask}",
        f"{caller}此前已反映过{where}{what}的问题，至今未解决，{impact}。{ask}",
        f"来电人反映：{where}{what}。来电人表示{impact}，{ask}",
        f"{caller}来电求助：{opening}{where}{what}，{impact}。{ask}",
        f"来电称：{what}（地址：{where}），{impact}。{ask}",
        f"{caller}来电：{where}{what}，{impact}，{ask}",
        f"{caller}反映，{where}{what}已持续{detail.days}天，{impact}。{ask}",
        f"{caller}称{since}{where}{what}。诉求：{ask or '尽快处理。'}",
    )
    if place.kind != "compound":
        forms = tuple(f for f in forms if "住处" not in f)
    return rng.choice(forms)


def sms(rng: random.Random, problem: Problem, place: Place, detail: Detail) -> str:
    where = place_phrase(rng, place, "casual", detail)
    what = detail.fill(rng.choice(problem.casual))
    impact = rng.choice(problem.casual_impact)
    greet = rng.choice(("你好", "您好 ", "老铁们 ", "我说 ", "", "", "师傅 "))
    ask = rng.choice(
        (
            "咋整啊",
            "啥时候能给解决啊",
            "有人管没",
            "赶紧给整整吧",
            "这都第几天了",
            "能不能来个人看看",
            "求求了",
            "嘎哈呢 没人管啊",
            "磨叽啥呢 赶紧的",
            "",
        )
    )
    bang = rng.choice(("！！", "。。。", "!", "", "？？", "~"))
    forms = (
        f"{greet}{where}{what}，{impact}{bang}{ask}",
        f"{what}{bang}{where}，{ask}",
        f"{where}{'' if where.endswith('那') else '那'}{what} {impact} {ask}{bang}",
        f"{greet}问一下{where}{what}咋回事{bang}{impact}",
        f"{what}，都{detail.days}天了 {where} {ask}",
        f"{where}{what}{bang}",
        f"{greet}{impact}，{where}{what}，{ask}",
        f"我都打好几次电话了 {where}{what} {ask}",
        f"{where}{what} {impact}",
        f"{greet}{where}{what}，{impact}{bang}赶紧派人来",
    )
    return fullwidth(rng, typos(rng, rng.choice(forms).strip()))


def typos(rng: random.Random, text: str, at_most: int = 2) -> str:
    made = 0
    for right, wrong in TYPOS:
        if made < at_most and right in text and rng.random() < 0.35:
            text = text.replace(right, wrong, 1)
            made += 1
    return text


def fullwidth(rng: random.Random, text: str, share: float = 0.1) -> str:
    """Now and then a text typed with full-width digits (３号楼), as some input methods do."""
    if rng.random() >= share:
        return text
    return text.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})


def web(rng: random.Random, problem: Problem, place: Place, detail: Detail) -> str:
    where = place_phrase(rng, place, rng.choice(("formal", "formal", "casual")), detail)
    what = detail.fill(rng.choice(problem.formal))
    body = detail.fill(rng.choice(problem.casual if rng.random() < 0.3 else problem.formal))
    impact = detail.fill(rng.choice(problem.impact))
    forms = (
        f"{where}{what}——{body}，{impact}，望尽快解决。",
        f"标题：{where}{what}；内容：本人住{where}，{body}，{impact}。",
        f"{what}！{where}{body}，{impact}，多次反映无果。",
        f"关于{where}{what}的问题：{impact}，请相关部门处理。",
        f"{where}，{body}。{impact}。",
        f"我是{place.names[0].split('/')[0]}附近的居民，{where}{body}，{impact}，联系电话已留。",
        f"{body}（{where}），{impact}。",
    )
    return fullwidth(rng, f"【{web_category(rng, problem)}】{rng.choice(forms)}")


def web_category(rng: random.Random, problem: Problem) -> str:
    # Citizens pick the form's category themselves: now and then a wrong or a vague one.
    return (
        rng.choice(("其他", "投诉", problem.web_label))
        if rng.random() < 0.15
        else problem.web_label
    )


def police(rng: random.Random, problem: Problem, place: Place, detail: Detail) -> str:
    where = place_phrase(rng, place, rng.choice(("formal", "terse")), detail)
    what = detail.fill(rng.choice(problem.formal + problem.terse))
    impact = detail.fill(rng.choice(problem.impact))
    number = f"J{detail.at:%Y%m%d}{rng.randint(1, 9999):04d}"
    hhmm = f"{detail.at:%H:%M}"
    who = rng.choice(("报警人称", "报警人反映", f"报警人{rng.choice(SURNAMES)}先生称", "群众报称"))
    action = rng.choice(
        (
            "已派民警前往",
            "民警到场核实属实，已通知相关部门",
            "请相关部门处置",
            "已转12345",
            "现场已设置警示",
            "",
        )
    )
    forms = (
        f"接警单号{number}：{hhmm}{who}{where}{what}，{impact}。{action}",
        f"{hhmm}接报，{where}{what}，{action}。",
        f"警情：{what}。地点：{where}。{who}{impact}。处置：{action or '待处置'}",
        f"{who}：{where}{what}（{impact}），{action}",
        f"[{number}]{where} {what} {action}",
        f"警情类别：求助。{hhmm}{who}{where}{what}，{impact}（转12345）",
    )
    return rng.choice(forms)


def urban(rng: random.Random, problem: Problem, place: Place, detail: Detail) -> str:
    where = place_phrase(rng, place, "terse", detail)
    what = detail.fill(rng.choice(problem.terse))
    case = f"{detail.at:%Y%m%d}{rng.randint(1, 99999):05d}"
    kind = problem.urban_class or "事件/其他事件/其他"
    reporter = rng.choice(("监督员上报", "市民举报", "巡查发现", "视频巡查"))
    forms = (
        f"【案件编号】{case}【类别】{kind}【位置】{where}【描述】{what}",
        f"{kind}｜{where}｜{what}｜{reporter}",
        f"{case} {kind} {where} {what}，请处置",
        f"案卷{case}：{where}{what}（{reporter}）",
        f"{reporter}：{where}，{what}。",
    )
    return rng.choice(forms)


WRITERS = {"hotline": hotline, "sms": sms, "web": web, "110": police, "12319": urban}


def source_category(source: str, problem: Problem, text: str) -> str:
    """The category a source sends beside its text: a web form's, a 12319 case's class."""
    if source == "web":
        return text[1 : text.index("】")]
    if source == "12319":
        return problem.urban_class or "事件/其他事件/其他"
    return ""
