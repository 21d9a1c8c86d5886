"""Synthetic Harbin reports for benchmarks: points, categories weighted as a winter hotline sees
them, and texts phrased the ways callers, SMS and feeds phrase one event.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# Harbin's urban area (道里, 南岗, 道外, 香坊, 松北 south): lat, lon bounds.
URBAN = (45.65, 45.85, 126.45, 126.80)
CENTRAL_STREET = (45.7740, 126.6177)  # 中央大街, 道里区
M_PER_DEG_LAT = 111_195.0

STREETS = (
    "中央大街",
    "西十二道街",
    "红军街",
    "果戈里大街",
    "学府路",
    "中山路",
    "东大直街",
    "西大直街",
    "友谊路",
    "经纬街",
    "哈西大街",
    "和兴路",
    "长江路",
    "珠江路",
    "黄河路",
    "通乡街",
    "三大动力路",
    "先锋路",
    "南直路",
    "景阳街",
    "承德街",
    "大成街",
    "安静街",
    "西十六道街",
    "尚志大街",
    "地段街",
    "红旗大街",
    "宣化街",
    "征仪路",
    "世茂大道",
)
COMMUNITIES = (
    "阳光花园",
    "松花江小区",
    "和平小区",
    "嵩山小区",
    "保利水韵长滩",
    "群力家园",
    "河松小区",
    "文化家园",
    "红旗小区",
    "安发小区",
    "先锋小区",
    "闽江小区",
    "中海格林兰溪",
    "万达公馆",
    "靖宇小区",
    "农垦小区",
    "新疆小区",
    "建国小区",
    "奋斗小区",
    "哈药小区",
)

# Per category: its weight on a winter day, then its events, each a list of phrasings of the same
# event. Slots: {street} {cross} {place} {bldg} {unit} {deg} {line}.
CATEGORIES: dict[str, tuple[int, list[list[str]]]] = {
    "heating": (
        20,
        [
            [
                "{place}{bldg}号楼{unit}单元暖气不热，室温只有{deg}度",
                "{place}{bldg}号楼暖气片冰凉，家里冷",
                "{place}{bldg}栋{unit}单元供热不达标，屋里温度才{deg}度",
            ],
            [
                "{place}{bldg}号楼暖气漏水，水流到楼下",
                "{place}{bldg}号楼{unit}单元暖气管跑风漏水",
            ],
        ],
    ),
    "water_supply": (
        12,
        [
            [
                "{street}与{cross}交口自来水管爆裂，水流满街",
                "{street}{cross}水管爆了 到处是水",
                "供水管线破裂 {street}{cross}路口",
            ],
            [
                "{place}{bldg}号楼停水两天了，一直没水",
                "{place}{bldg}号楼没有水，何时来水",
            ],
        ],
    ),
    "drainage": (
        6,
        [
            [
                "{street}{cross}附近下水道堵塞，污水外溢",
                "{street}与{cross}交口下水井冒污水",
            ],
            ["{street}{cross}路口积水严重，车辆无法通行", "{street}{cross}积水淹了半条路"],
        ],
    ),
    "road_damage": (
        8,
        [
            [
                "{street}{cross}路口路面有大坑，车辆通行困难",
                "{street}靠近{cross}马路上有个深坑",
                "{street}{cross}路面塌陷",
            ]
        ],
    ),
    "snow_ice": (
        8,
        [
            [
                "{street}{cross}积雪未清，路面结冰行人打滑摔倒",
                "{street}靠近{cross}雪没清，路面结冰",
            ]
        ],
    ),
    "noise": (
        8,
        [
            [
                "{street}{cross}工地夜间施工噪音扰民",
                "{street}靠近{cross}工地半夜施工太吵",
            ],
            ["{place}楼下广场舞音响声太大，扰民", "{place}广场舞高音喇叭吵得睡不着"],
        ],
    ),
    "garbage": (
        6,
        [
            [
                "{place}{bldg}号楼垃圾多日未清运，垃圾堆积",
                "{place}垃圾站垃圾满溢没人清运",
            ]
        ],
    ),
    "street_lights": (
        5,
        [["{street}{cross}一段路灯不亮", "{street}靠近{cross}路灯坏了，晚上漆黑"]],
    ),
    "property_management": (
        6,
        [["{place}物业不作为，楼道灯坏了没人修", "{place}物业公司乱收物业费"]],
    ),
    "traffic": (
        4,
        [
            [
                "{street}与{cross}交口红绿灯不亮，交通拥堵",
                "{street}{cross}路口信号灯坏了，堵车严重",
            ]
        ],
    ),
    "power_supply": (3, [["{place}{bldg}号楼停电", "{place}{bldg}号楼突然断电，没电"]]),
    "manhole_cover": (
        3,
        [["{street}与{cross}交口井盖缺失", "{street}{cross}路口没有井盖，很危险"]],
    ),
    "elevator": (2, [["{place}{bldg}号楼电梯故障困人", "{place}{bldg}号楼电梯停运"]]),
    "gas_leak": (1, [["{place}{bldg}号楼{unit}单元有煤气味", "{place}{bldg}号楼燃气泄漏"]]),
    "fallen_tree": (
        2,
        [["{street}{cross}大树被风刮倒，挡住道路", "{street}靠近{cross}一棵大树倒了"]],
    ),
    "illegal_construction": (2, [["{place}{bldg}号楼楼顶加层违建", "{place}私搭乱建彩钢房"]]),
    "pollution": (2, [["{street}{cross}附近饭店油烟排放，臭味很大", "{street}烧烤店油烟污染"]]),
    "stray_animals": (1, [["{place}有流浪狗咬人", "{place}附近野狗成群"]]),
    "public_transport": (1, [["{line}路公交车在{street}站甩站", "{line}路公交车不停站"]]),
}
CODES = list(CATEGORIES)
WEIGHTS = [weight for weight, _ in CATEGORIES.values()]
PREFIXES = ("市民来电反映：", "", "", "来电人称", "网民反映：")
SUFFIXES = ("请尽快处理。", "", "希望尽快解决。", "")


@dataclass(frozen=True)
class Event:
    """One thing that happened, at one place: every phrasing of it reads as the same event."""

    code: str
    phrasings: tuple[str, ...]
    slots: dict[str, str]
    lat: float
    lon: float

    def text(self, rng: random.Random) -> str:
        body = rng.choice(self.phrasings).format(**self.slots)
        return f"{rng.choice(PREFIXES)}{body}{rng.choice(SUFFIXES)}"


def event_at(rng: random.Random, lat: float, lon: float) -> Event:
    code = rng.choices(CODES, WEIGHTS)[0]
    phrasings = rng.choice(CATEGORIES[code][1])
    street, cross = rng.sample(STREETS, 2)
    slots = {
        "street": street,
        "cross": cross,
        "place": rng.choice(COMMUNITIES),
        "bldg": str(rng.randint(1, 40)),
        "unit": str(rng.randint(1, 6)),
        "deg": str(rng.randint(8, 16)),
        "line": str(rng.randint(1, 120)),
    }
    return Event(code, tuple(phrasings), slots, lat, lon)


def urban_point(rng: random.Random) -> tuple[float, float]:
    lat0, lat1, lon0, lon1 = URBAN
    return rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)


def square_point(
    rng: random.Random, centre: tuple[float, float], side_m: float
) -> tuple[float, float]:
    """A uniform point in the square of `side_m` metres around `centre`."""
    half_lat = side_m / 2 / M_PER_DEG_LAT
    half_lon = half_lat / _cos_deg(centre[0])
    return (
        centre[0] + rng.uniform(-half_lat, half_lat),
        centre[1] + rng.uniform(-half_lon, half_lon),
    )


def near(rng: random.Random, lat: float, lon: float, max_m: float) -> tuple[float, float]:
    """A point up to `max_m` metres north or south and east or west of (lat, lon)."""
    north, east = rng.uniform(-max_m, max_m), rng.uniform(-max_m, max_m)
    return lat + north / M_PER_DEG_LAT, lon + east / (M_PER_DEG_LAT * _cos_deg(lat))


def _cos_deg(lat: float) -> float:
    return math.cos(math.radians(lat))
