"""What is wrong with what: the problems a complaint names (object and fault), in any register.

Callers, operators, web forms and the 110/12319 feeds name one problem in different words
(暖气不热 / 没暖气 / 室温14度 / 采暖不达标); each pattern below maps such words to one key
`object:fault`. Intake's classifier takes its category from the first problem a text names
(impacts come after the cause: 停电，电梯停运); the merge scorer compares the problems of two texts
(similarity.py). Patterns run on `similarity.normalise`d text: NFKC, lower case, no punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from re import _parser as re_parser  # the parse tree of our own patterns: see _first_chars
from typing import NamedTuple

_NUM = "[0-9零一二两三四五六七八九十几]"
_PIPE = "(?:自来水管|供水管线|供水管道|供水管|给水管|上水管|水管线|水管子|水管|管线|管道|管子)"
_BREAK = (
    "(?:疑似|好像|又)?"
    "(?:爆裂|爆开|爆了|破裂|裂开|裂了|冻裂|冻爆|冻坏|崩了|崩开|爆|漏水|呲水|滋水|跑水|冒水|喷水)"
)
# Places where a noise complaint often is, and is not always: a noise problem needs its sound.
_VENUE = (
    "(?:烧烤|歌厅|ktv|酒吧|清吧|夜店|饭店|餐馆|商铺|店铺|门市|商家|超市|网吧|舞厅|迪厅|洗浴|会所|"
    "练歌房|棋牌室|麻将馆|店)"
)
_SOUND = (
    "(?:吵|噪|音乐|音响|喇叭|外放|蹦迪|喊|叫卖|唱|动静|声音?(?:大|太|过大|很大)|低音炮|扰民|放歌|"
    "嗡嗡|咚咚|轰|嚎|吼|嚷|叫唤|闹腾)"
)
# 冰 that is not ice on the ground: a fridge, a lolly, Harbin's ice sculptures and nickname.
_NOT_ICE_THING = "(?!箱|柜|棍|淇|激|糕|雕|灯|城|场|块|镇|糖|球|壶)"
_NOT_TREES = "(?!偷?(?:砍|伐|锯|挖))"
_RADIATOR = "(?:暖气|暖器|暖汽|供热|供暖|采暖|热力)(?:片子|片|管道|管线|管网|管子|管|阀门|阀)?"


class Problem(NamedTuple):
    """One way of naming a problem: its key (`object:fault`), category code and patterns.

    A `*` fault is the object named without a fault: compatible with every fault of it. A weak
    problem is usually an impact or a by-word (黑灯瞎火, 路滑, 物业): counted only when the text
    names no strong one.
    """

    key: str
    category: str
    patterns: tuple[str, ...]
    weak: bool = False


# Order matters where two patterns can start at one character: the first listed wins
# (下水井盖 is a manhole cover before it is a drain; 暖气漏水 is a radiator before it is a pipe).
PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "manhole:cover",
        "manhole_cover",
        (
            "(?:下水|污水|雨水|上水|排水|窨)?井(?:盖|概)",
            "马葫芦(?:盖|敞|没|丢|翘|开|口)",
            "窨井",
            "井口(?:外露|敞开|裸露|无盖|没盖|没有盖|盖子没了)",
            # The well, then its missing cover (有个井没盖子了, 窨井无盖)
            "井(?:口)?(?:都|也)?(?:没有?|无|缺|丢了?)(?:个)?盖",
            "检查井|(?:没有|没|缺|丢了?)(?:个)?井盖",
            "井圈",
        ),
    ),
    Problem(
        "heating:leak",
        "heating",
        (
            f"{_RADIATOR}.{{0,3}}?(?:漏水|呲水|滋水|跑水|冒水|喷水|爆了|爆裂|爆管|崩了|漏了|滴水|"
            "淌水|流水|漏|滴答|滴嗒|往下滴|渗水)",
            "热水(?:流入|流进|淌|流到)",
            # Steam from a heating main or its pit (热力管线井冒汽, 地沟冒白气)
            f"{_RADIATOR}.{{0,4}}?(?:冒汽|冒白气|冒热气|冒气|喷汽|泄漏|失水)|冒(?:白|热)?汽|冒(?:白|热)气|蒸汽",
        ),
    ),
    Problem(
        "heating:cold",
        "heating",
        (
            f"{_RADIATOR}.{{0,4}}?(?:不热|不够热|不太热|温乎|冰凉|拔凉|是凉的|凉|温度低|不好|"
            "停了|没了|不来|没来|不供|停供|断供|没热|时热时不热|半死不活|不行|不好使|跟没有?一样|等于没有|摆设)",
            # Electric heaters bought, the temperature that will not rise
            "(?:开|用|买了?|插上)(?:个|了)?(?:电暖器|电暖气|小太阳|电热毯)|温度(?:上不来|上不去|起不来)",
            "没有?(?:暖气|暖器|暖汽|供暖|供热)",
            "(?:供热|供暖|采暖|取暖|室温|室内温度|温度)(?:效果)?(?:不达标|不合格|不够|太低|偏低|低|差|不足)",
            f"(?:室内|家里|屋里|家中|屋内|室温|温度|测得室温|我家|俺家|咱家)(?:温度)?(?:只有|才|仅|就|不到|不足)?{_NUM}+(?:度|c)",
            "(?:家里|屋里|室内|家中|屋内|屋子)(?:很|太|特别|非常|挺|贼|老|冻得|冷得|寒|阴|冰)?冷(?!水)",
            "贼冷",
            "冻得(?:够呛|受不了|睡不着|直哆嗦)",
            "停暖|不供暖|供暖不足|供热不足",
            # Warm above, cold below (上热下凉, 上半截热乎下半截冰凉): the loop lacks water.
            "(?:上|前)(?:边|面|头|半截|半拉)?(?:热|热乎|温).{0,4}?(?:下|后)(?:边|面|头|半截|半拉)?(?:凉|冰|不热)",
            # Coats indoors (屋里穿羽绒服, 穿着棉袄在屋里坐着)
            "(?:屋里|家里|室内|在家|屋内)(?:都|还|得)?(?:穿|裹)着?(?:棉袄|羽绒服|大衣|棉衣|棉裤|被子)",
            "(?:穿|裹)着?(?:棉袄|羽绒服|大衣|棉衣).{0,6}?(?:屋里|家里|在家|室内|屋内)",
            "影响.{0,16}?(?:供热|供暖|采暖)|(?:供热|供暖|暖气)(?:温度)?(?:下降|骤降|降了)",
        ),
    ),
    Problem(
        "drain:blocked",
        "drainage",
        (
            "(?:下水道|下水井|下水管|下水口|排水井|排水管|排水口|排水沟|雨水口|雨水井|雨水篦子|"
            "污水井|污水管|化粪池|马葫芦|地漏).{0,6}?(?:堵|冒|溢|返|不通|不畅|满|漫|淌|坏|破|漾|涌|外流)",
            "污水(?:外溢|外冒|冒出|横流|漫出|漫溢|满溢)",
            "冒污水|冒脏水|返水|反水|冒汤|粪水|粪汤|污水横流|排水堵塞|下水.{0,3}?(?:反|返|上来)",
            "臭水|污水|脏水",
            # Standing water on a road after rain or thaw: the drains do not take it.
            "(?:路面|道路|马路|路口|桥下|涵洞|小区)积水|积水(?:严重|成河|过膝|没过|淹)|内涝|水漫金山",
        ),
    ),
    Problem(
        "water:quality",
        "water_supply",
        (
            "(?:自来水|水龙头|水质|放出来的水).{0,4}?(?:发黄|黄|浑|泥汤|异味|有味|臭|锈|沙子)",
            "水(?:是|发|有点|都|变|呈)(?:黄|浑)|(?:消毒水?|漂白粉|氯|铁锈|锈)味",
        ),
    ),
    # A fire hydrant is its own object: one leaking at a compound's gate is not the main that
    # empties its taps (water:burst and water:outage agree; a hydrant agrees with neither).
    Problem("hydrant:fault", "water_supply", ("消防栓|消火栓",)),
    Problem(
        "water:burst",
        "water_supply",
        (
            f"{_PIPE}.{{0,3}}?{_BREAK}",
            "水表.{0,3}?(?:冻|爆|裂|坏了|漏)",
            "爆管|跑水|冒水|喷水|水柱|喷泉似的|管网漏损",
            # Water welling up from below (往外咕嘟水, 地底下往上涌水)
            "(?:往外|往上|地下|地底下|路面)(?:咕嘟|冒|涌|淌|喷|呲|滋|渗|返)(?:清)?水",
        ),
    ),
    Problem(
        "water:outage",
        "water_supply",
        (
            "停水|没水|没有水|断水|不来水|水压(?:低|小|不足|不够)|上不去水|水上不去|水(?:太|很)?小",
            "没(?:有)?自来水|不出水|(?<!自)来水|冲不了|水龙头.{0,6}?(?:没|木有|啥也|一滴|不出)",
        ),
    ),
    Problem(
        "gas:leak",
        "gas_leak",
        (
            "(?:燃气|煤气|媒气|天然气|液化气|燃起|瓦斯)(?:管道?)?.{0,2}?(?:味|泄漏|泄露|漏气|漏了|漏|呲)",
            "漏气|臭鸡蛋味|一氧化碳|煤气中毒|燃气报警器",
        ),
    ),
    Problem(
        "gas:outage",
        "gas_supply",
        (
            "停气|没气|打不着火|点不着火|火苗(?:很小|太小|小|就一点)",
            "(?:灶|灶台|灶具|炉具|炉子|燃气灶|煤气灶).{0,4}?(?:打不着|点不着|无法点火|不着火|点不了火?|不好使)",
            "(?:燃气|煤气|天然气)(?:停供|断供|检修)",
            "(?:燃气|煤气|天然气|液化气).{0,10}?(?:时有时无|时断时续|一会儿?有一会儿?没|停了|没了|不通|断了|供不上|"
            "压力(?:低|小|不足|不够)|火(?:太|很)?小)",
            "(?:燃气|气)压(?:力)?(?:低|小|不足|不够)",
        ),
    ),
    Problem(
        "light:out",
        "street_lights",
        ("路[灯登](?:杆)?", "(?:街灯|景观灯|照明灯)(?:不亮|坏|灭)", "灯(?:都|全)?瞎了"),
    ),
    Problem(
        "signal:fault",
        "traffic",
        ("红绿灯|信号灯|交通灯|红灯|绿灯|黄闪",),
    ),
    Problem(
        "power:outage",
        "power_supply",
        (
            "停电|断电|没电|没有电|跳闸|掉闸|电压(?:不稳|低)|忽明忽暗|限电",
            "(?:没|不|还没|咋还不)来电|啥时候(?:能)?来电|来电了吗",
            "电线.{0,5}?(?:掉|断|打火|冒火|垂|耷拉)|变压器|电缆|电闸.{0,3}?跳",
        ),
    ),
    Problem(
        "elevator:fault",
        "elevator",
        ("电梯|困梯|梯内困人|电[题提].{0,4}?(?:卡|坏|困|停|故障|不好使|咣当)",),
    ),
    Problem(
        "road:pothole",
        "road_damage",
        (
            "坑洼|坑槽|坑洞|大坑|深坑|有个坑|有坑|窟窿|路面坑洞|坑坑|坑包",
            # Not 人行道井盖破损: a cover on the pavement is the cover's fault.
            "(?:路面|道路|马路|人行道|道上|路上)(?:(?!井|盖|灯).){0,2}?(?:破损|开裂|鼓包|塌陷|塌了|沉降|裂缝|裂了)",
            "塌陷|翻浆|冻胀|步道砖|道路破损|路面破损",
            # The road, then the hole a few words on (路上的坑, 车道上有好几个坑); 坑人 swindles.
            "(?:路面|道路|马路|路上|道上|车道|人行道|便道|路中间|街上)(?:上|中间|边)?"
            "(?:的|有|出现了?|一个|个|好几个|几个|好多|那个|这个|俩|大|深)*坑(?!人|钱|爹)",
            "坑.{0,6}?(?:颠|爆胎|崴|绊|填上|填平|补上|没人填|没人补)|(?:填|补)(?:上|平)?.{0,3}?坑(?!人)",
        ),
    ),
    Problem(
        "garbage:debris",
        "garbage",
        (
            "渣土(?!车)|建筑垃圾|装修垃圾|偷倒|乱倒|倾倒|破烂|装修的|建渣|积存垃圾|砖头|水泥块|碎砖|石块",
        ),
    ),
    Problem(
        "garbage:uncollected",
        "garbage",
        (
            "垃圾(?:桶|箱|站|点|收集点|房)?.{0,8}?(?:没人|无人|未|没|不)(?:清|收|拉|运|管)",
            "垃圾(?:桶|箱|站|点|收集点|房)?(?:都|已经|全)?(?:堆积|成堆|堆|满|溢|外溢|遍地|冒尖|冒了|散落)|暴露垃圾",
        ),
    ),
    Problem(
        "vending:stall",
        "street_vending",
        (
            "摆摊|地摊|摊位|摊子|小摊|摊贩|占道经营|流动商贩|商贩|小贩|游商|早市|夜市|马路市场",
            "出摊|卖菜的|卖货的|占道摆|路边摆|推车卖|三轮车卖",
            # 卖…的 (the seller, by what is sold) with the cart or the pavement it takes
            "卖[^的]{1,8}的(?:.{0,8}?)(?:车|摊|三轮|占|堵|摆|挡|人行道|便道)",
        ),
    ),
    Problem(
        "noise:construction",
        "noise",
        (
            "(?:夜间|半夜|深夜|凌晨|晚上|夜里|大半夜)(?:还在|还|偷偷)?施工|施工.{0,6}?(?:噪|吵|扰民|声|动静)",
            "打桩|电钻|砸墙|叮咣|叮叮咣咣|轰隆隆|机器(?:轰鸣|响)",
            "工地.{0,6}?(?:还在|还再|黑天|半夜|夜里|深夜|凌晨|整宿|连夜)",
            "工地.{0,8}?(?:噪|吵|扰民|轰|咣|叮|动静|响)",
        ),
    ),
    Problem("noise:dance", "noise", ("广场舞|跳舞|扭秧歌|秧歌|锣鼓",)),
    Problem(
        "noise:neighbour",
        "noise",
        (
            f"(?:楼上|楼下|隔壁|邻居|住户)(?:(?!{_VENUE}|牌|匾).){{0,10}}?(?:装修|咣|哐|咚|跺|吵|闹|敲|砸|"
            "蹦|噪|喧哗|唱|大声|音乐|动静|电钻|剁)",
            "装修(?:噪音|噪声|声|动静)|咣咣|哐哐|咚咚|跺脚",
        ),
    ),
    Problem(
        "noise:business",
        "noise",
        (
            # A venue is where, not what: only with a sound (a fight, a sign, wages are other
            # problems that happen at a barbecue or a shop).
            # Not across 油烟: a restaurant's fumes 扰民 too.
            f"{_VENUE}(?:(?!油烟).){{0,10}}?{_SOUND}",
            "喊麦|蹦迪",
            # A machine's hum (排风机嗡嗡响, 空调外机噪音)
            "(?:排风|排烟|风机|外机|鼓风机|冷却塔|压缩机|冷库)(?:设备|扇|机)?.{0,6}?(?:响|嗡|噪|吵|轰|声)",
        ),
    ),
    Problem("noise:traffic", "noise", ("鸣笛|按喇叭|炸街|改装车",)),
    # A loudspeaker or music is noise from any source (a stall, a dance, a neighbour): `*`.
    Problem(
        "noise:*",
        "noise",
        # 噪音扰民 once: similarity.normalise writes 吵得 and 太吵 so, and an impact is one word.
        ("(?:噪音|噪声)扰民|噪音|噪声|扰民|唱歌|放歌|音响|喇叭|放音乐|外放|低音炮",),
    ),
    Problem(
        "animal:dog",
        "stray_animals",
        (
            "流浪(?:狗|犬|猫|动物)|野狗|野猫|恶犬|烈性犬|犬只|狗.{0,3}?(?:咬|撵|追|扑|伤)|被狗|让狗|"
            "遛狗|狗屎|狂犬|一帮狗|好多狗|几条狗|(?:不|没)(?:拴|牵)(?:狗)?绳",
        ),
    ),
    Problem(
        "security:theft",
        "public_security",
        (
            # Trees cut and taken (盗伐, 让人偷偷砍了) are greenery's, not a theft for the police.
            f"小偷|扒窃|扒手|盗窃|被盗{_NOT_TREES}|被偷{_NOT_TREES}|偷了|偷东西|被撬|撬了|撬车|掏了|"
            f"让人偷{_NOT_TREES}|抢劫|抢包|失窃",
            "(?:让人|被人)(?:给)?(?:撬|偷|顺|偷偷)(?:走|了)|撬走|偷走|顺走",
            "(?:车窗|车玻璃|车辆玻璃|车的玻璃|车门)(?:.{0,4}?)(?:砸|撬)|砸车",
            "丢(?:失|了)(?:一个|个)?(?:手提包|钱包|手机|财物|物品|背包|挎包|包)",
            "(?:钱包|手机|财物|电动车|电瓶车|自行车|电瓶|手提包|背包)(?:被偷|被盗|丢了|丢失|没了)",
        ),
    ),
    Problem(
        "security:fight",
        "public_security",
        (
            "打架|斗殴|打人|持刀|闹事|滋事|醉酒|寻衅|醉汉|耍酒疯|聚众|赌博|吸毒",
            "打起来|打成一团|群殴|互殴|动手打|砍人|捅人|酒瓶子?.{0,2}?(?:抡|砸|打)",
            # Northeastern 打仗/干仗 is a brawl; 喝多了的 … 闹 a drunk one.
            "打仗|干仗|干起来|掐起来|喝多了?的?.{0,6}?(?:打|闹|砸|骂)",
        ),
    ),
    Problem("security:fraud", "public_security", ("诈骗|传销|骗子|骗钱",)),
    Problem(
        "tree:fallen",
        "fallen_tree",
        (
            "(?:大树|树木|行道树|树干|树枝|树杈|树杈子|老树|一棵树|杨树|柳树|榆树|松树|树)(?:被风)?"
            "(?:刮)?.{0,2}?(?:倒|折|断|倾斜|歪|砸|压|要倒|掉|落)",
            "倒树|断枝|树倒",
            # Broken by snow or wind (大枝被积雪压断, 树杈子让雪压折了)
            "(?:树|枝|杈)[^，。]{0,6}?(?:被|让)(?:积雪|大雪|雪|大风|风)(?:给)?(?:压|刮|吹|砸)(?:断|折|倒|劈|弯)",
            "(?:折|断|劈)(?:了|掉)?的(?:大)?(?:树杈子|树杈|树枝|大枝|枝子|树)",
            "(?:刮倒|吹倒|倒伏|倒下|倒了|折断|砸倒|压倒|连根拔起)(?:的|了)?(?:一棵|一颗|棵|颗|大|老|那棵|这棵)*"
            "(?:大树|树木|树干|老树|杨树|柳树|榆树|松树|行道树|树)",
        ),
    ),
    Problem(
        "greenery:damage",
        "greenery",
        (
            "毁绿|绿地被|草坪被|砍树|枯死|树木缺株|绿化带被|毁坏绿地|踩踏草坪",
            "(?:绿化带|草坪|草地|绿地|花坛).{0,4}?(?:踩|压|毁|破坏|侵占|占了|秃|铲|停车|种菜)",
            "盗伐|偷伐|滥伐|砍伐|乱砍|锯走|锯掉|锯倒|砍倒|被锯|被砍|偷树|挖走",
            "(?:锯|砍)(?:了|倒了|掉了)?.{0,6}?(?:老树|大树|树木|行道树|杨树|柳树|榆树|松树|树)",
        ),
    ),
    Problem(
        "greenery:trim",
        "greenery",
        (
            "修剪|剪树|剪枝|修枝|剪一剪|修一修",
            "(?:树枝|树杈|枝杈|枝条|树冠)(?:.{0,8}?)(?:过长|太长|过密|太密|伸到|伸进|挡住?|遮挡?|挨着|"
            "碰到?|搭在|搭到|蹭|刮窗|够着)",
            "(?:树|树木).{0,4}?(?:挡|遮)(?:住|着)?(?:窗|光|阳光|路灯|视线|信号灯)",
        ),
    ),
    Problem(
        "snow:ice",
        "snow_ice",
        (
            "积雪|清雪|扫雪|除雪|铲雪|雪没人|雪无人|冰溜子|冰溜|冰棱|冰挂|冰包|冰坨|冰雪|"
            "雪堆|雪(?:未|没|不)(?:清|扫|铲)|冰面|成冰|冰疙瘩",
            "(?:人行道|路面|道路|马路|路上|道上|便道|台阶|步道|坡道|楼门口)(?:上|的|全|都|是|有|一层)*"
            f"(?:冰|冰层|结冰|溜光){_NOT_ICE_THING}",
            f"(?:全是|都是|一层|成了?|的)冰{_NOT_ICE_THING}",
            "冰(?:层|道|包|坨)|溜光|(?:清冰|除冰|刨冰|打冰)|暗冰|黑冰|薄冰",
            # Ice by its likeness (冻得跟镜面似的, 滑得像溜冰场) and ruts frozen into ridges
            "(?:冻|滑)(?:得|的)?(?:跟|像|和|如)?(?:镜面|镜子|溜冰场|滑冰场|冰场|冰面)",
            "冰辙|冰棱子|冻成.{0,4}?(?:冰|棱|坨|疙瘩)|雪.{0,4}?(?:没人|无人|没|未|不)(?:来|去|给)?(?:清|扫|铲|管)",
        ),
    ),
    Problem(
        "traffic:parking",
        "traffic",
        (
            "乱停|违停|违章停车|乱停放|僵尸车|占用消防通道|堵门|占用盲道|堵道",
            "车(?:停得|停的|乱)|车.{0,4}?堵着?(?:道|门|路)",
            "停满(?:了)?车|车(?:都)?停满|(?:双侧|两侧|两边)(?:都|全)?停(?:满|着|车)|占道停车",
            "消防通道.{0,8}?(?:占|堵|停)|被(?:私家车|车辆|车)(?:给)?(?:堵|占)",
            # A car boxed in by another (车被堵，无法驶出)
            "车(?:辆)?(?:被|让)(?:人|别人|别的车)?(?:给)?(?:堵|挡|别)(?:住|了|死)?",
        ),
    ),
    Problem(
        "building:illegal",
        "illegal_construction",
        (
            "违建|违章建筑|违法建设|私搭乱建|乱搭乱建|私建|加盖|圈占",
            "彩钢房|私自搭建|违规搭建|违规扩建|阳台外扩|楼顶(?:加层|搭建|盖房)|圈地",
            "扩建|私自(?:扩|搭|建|盖|接)|接出(?:一间|个|来)|外扩|私搭",
        ),
    ),
    Problem(
        "wage:arrears",
        "wage_arrears",
        (
            "拖欠工资|欠薪|不给工资|讨薪|拖欠.{0,10}?工资|欠.{0,6}?(?:工资|工钱)|农民工工资",
            "(?:工资|工钱|薪水|血汗钱)(?:.{0,8}?)(?:没给|不给|没发|不发|一分没|拖着|要不|讨不|不结)",
            # The boss who does not pay for the work (干了半年活，老板一分钱不给)
            "(?:老板|包工头|工头|老板娘).{0,6}?(?:不给钱|一分(?:钱)?(?:都|也)?(?:不给|没给)|跑路|跑了|不结账)",
            "(?:活|工)(?:钱|账)(?:都|也)?(?:不给|没给|不结|没结|要不回来)",
        ),
    ),
    Problem(
        "transport:service",
        "public_transport",
        (
            "公交车?(?:不停站|拒载|晚点|甩站|司机|不来|停运)|出租车(?:拒载|绕路|宰客)|地铁",
            "甩站|过站不停|不停站",
            "公交车?.{0,8}?(?:不来|不见车|等不着|间隔太长|晚点)",
            "(?:不|未|没)(?:进站|靠站|停靠)|公交车?.{0,4}?(?:老|总|就|都|也)?(?:不停|没停)",
            # Not stopping is a bus's fault at a stop; elsewhere it may be a driver fleeing.
            "(?:站|公交|路车).{0,8}?(?:未|没|不)停(?:车|站)?(?:直接)?(?:驶过|开过|开走|就走)",
        ),
    ),
    Problem(
        "food:safety",
        "food_safety",
        (
            "食物中毒|过期食品|卖过期|地沟油|无证经营|卫生许可|吃坏肚子|吃出",
            "(?:吃|就餐|用餐|食用|喝)(?:了|完|过)?.{0,12}?(?:腹泻|呕吐|拉肚子|闹肚子|上吐下泻|肚子疼|"
            "中毒|过敏)",
            "上吐下泻|腹泻|拉肚子|闹肚子|后厨.{0,4}?(?:脏|卫生|苍蝇|蟑螂|老鼠|乱)|(?:饭店|餐馆|餐厅|食堂|小吃|店)(?:.{0,6}?)(?:卫生极差|"
            "卫生太差|卫生很差|脏乱|不干净|有苍蝇|有蟑螂|有老鼠)",
            "(?:食品|食物|肉|食材|菜|饭菜)(?:.{0,3}?)(?:过期|发霉|不新鲜|有异味|变质了|馊)",
        ),
    ),
    Problem(
        "sign:loose",
        "other",
        (
            "(?:广告牌|牌匾|招牌|门头|灯箱|牌子)(?:.{0,12}?)(?:松动|松了|要掉|快掉|摇晃|晃悠|脱落|坠落|掉下|"
            "刮掉|刮歪|歪了|坠下)",
        ),
    ),
    Problem(
        "traffic:sign",
        "traffic",
        ("交通标志|标志牌|指示牌|限速牌|禁停牌|标线(?:不清|模糊|磨没)",),
    ),
    Problem(
        "property:facility",
        "property_management",
        ("门禁(?:坏|损坏|不好使|失灵|打不开)|单元门(?:坏|关不上|锁坏|打不开)|楼道灯(?:不亮|坏)",),
    ),
    Problem(
        "market:fraud",
        "food_safety",
        ("缺斤短两|短斤少两|缺斤少两|假冒伪劣|三无产品|以次充好|卖假货",),
    ),
    Problem(
        "pollution:fumes",
        "pollution",
        ("油烟(?:机|管道|扰民|太大|很大|呛|直排|熏)|(?:饭店|餐馆|烧烤).{0,6}?油烟",),
    ),
    Problem(
        "pollution:dust",
        "pollution",
        (
            "扬尘|尘土飞扬|粉尘|灰尘(?:大|满天)|(?:渣土车|工地).{0,6}?(?:起灰|暴土)",
            "(?:黄土|尘土|灰土|沙土)(?:漫天|飞扬|满天)|(?:不|未|没)苫盖|(?:全是|都是|一层|满是)灰",
        ),
    ),
    Problem(
        "pollution:smoke",
        "pollution",
        ("黑烟|浓烟|烟囱|烟尘|废气|偷排|直排|焦糊味|刺鼻|排放(?:黑烟|烟|废气)",),
    ),
    # Weak: impacts and by-words, named after the cause as often as alone.
    Problem("light:out", "street_lights", ("黑灯瞎火|黑咕隆咚|没有?照明|无照明|黑乎乎",), True),
    Problem("snow:ice", "snow_ice", ("结冰|路滑|溜滑|滑倒|摔倒|冻上了",), True),
    Problem("traffic:jam", "traffic", ("拥堵|堵车|交通混乱|车都过不去|堵得|堵死",), True),
    Problem("noise:construction", "noise", ("施工",), True),
    # A sound is often the impact of another problem (井盖咣当响，吵得睡不着 is a cover).
    Problem("noise:*", "noise", ("太吵|很吵|吵|闹腾|嗡嗡|喧哗|大声",), True),
    # 垃圾 alone is often where (垃圾箱那有一帮流浪狗): the problem is what is wrong with it.
    Problem("garbage:uncollected", "garbage", ("生活垃圾|垃圾",), True),
    Problem("heating:cold", "heating", ("不热|不够热",), True),
    Problem("property:service", "property_management", ("物业",), True),
    Problem("pollution:smell", "pollution", ("油烟|污染|排污|粉尘|扬尘|异味|臭味",), True),
)

_REGEX = re.compile("|".join(f"(?P<p{i}>{'|'.join(p.patterns)})" for i, p in enumerate(PROBLEMS)))


class Found(NamedTuple):
    """What a text names: its first problem (the first strong one, if any) and every key."""

    first: Problem | None
    keys: frozenset[str]

    @property
    def key(self) -> str:
        return self.first.key if self.first is not None else ""


NOTHING = Found(None, frozenset())


# After a thing, a word that makes it a landmark (路灯杆旁边的井盖, 垃圾箱那有一帮狗, 公交站边上):
# the thing named there is where, not what is wrong.
_LOCATIVE_RE = re.compile(
    "(?:杆|箱|桶)?(?:那(?:有|边|儿|旁)|附近|旁边|旁|边上|跟前|对面|底下|周边|周围)"
)


@lru_cache(maxsize=8192)
def find(text_norm: str) -> Found:
    """The problems named in a normalised text, in order of mention."""
    strong: list[Problem] = []
    weak: list[Problem] = []
    for m in _scan(text_norm):
        problem = PROBLEMS[int(m.lastgroup[1:])]
        where = _LOCATIVE_RE.match(text_norm, m.end()) is not None
        (weak if problem.weak or where else strong).append(problem)
    named = strong or weak
    if not named:
        return NOTHING
    return Found(_by_evidence(named), frozenset(p.key for p in named))


def _by_evidence(named: list[Problem]) -> Problem:
    """The problem named most often (`object:*` counts for each fault of its object named too);
    of equals, the first named: an impact follows its cause (停电，电梯停运)."""
    if len(named) == 1:
        return named[0]
    counts: dict[str, int] = {}
    for problem in named:
        counts[problem.key] = counts.get(problem.key, 0) + 1
    for key, count in list(counts.items()):
        thing, _, fault = key.partition(":")
        if fault == "*":
            for other in counts:
                if other != key and other.startswith(thing + ":"):
                    counts[other] += count
    top = max(counts.values())
    return next(p for p in named if counts[p.key] == top)


def _scan(text: str) -> Iterator[re.Match[str]]:
    """What `_REGEX.finditer(text)` yields, trying at each character only the problems that can
    start with it.

    `re` tries all ~50 alternatives at every character (35 µs for a short note); most characters
    start none, or one or two.
    """
    at, end, by_start = 0, len(text), _BY_START
    while at < end:
        regex = by_start.get(text[at])
        if regex is not None:
            found = regex.match(text, at)
            if found is not None and found.end() > at:
                yield found
                at = found.end()
                continue
        at += 1


def _first_chars(items: list) -> set[str] | None:
    """The characters a parsed pattern's match can start with; None when any can."""
    chars: set[str] = set()
    for op, arg in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width: the next item starts the match
        if name == "LITERAL":
            return chars | {chr(arg)}
        if name == "IN":
            for kind, value in arg:
                if str(kind) == "LITERAL":
                    chars.add(chr(value))
                elif str(kind) == "RANGE":
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:
                    return None
            return chars
        if name == "BRANCH":
            return _union(chars, [_first_chars(list(alt)) for alt in arg[1]])
        if name == "SUBPATTERN":
            return _union(chars, [_first_chars(list(arg[3]))])
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            inner = _first_chars(list(arg[2]))
            if inner is None:
                return None
            chars |= inner
            if arg[0] > 0:
                return chars
            continue  # optional: what follows may start the match too
        return None  # ANY, a category, a back-reference: anything
    return None  # all optional: the empty match, anywhere


def _union(chars: set[str], parts: list[set[str] | None]) -> set[str] | None:
    if any(part is None for part in parts):
        return None
    return chars.union(*parts)


def _by_start() -> dict[str, re.Pattern[str]]:
    """For each character a problem can start with, a regex of those problems (in PROBLEMS
    order, groups named as in `_REGEX`, so the first listed still wins)."""
    starts = {}
    for i, problem in enumerate(PROBLEMS):
        chars = _first_chars(list(re_parser.parse("|".join(problem.patterns))))
        if chars is None:
            raise ValueError(f"{problem.key}: a pattern that can start anywhere")
        for char in chars:
            starts.setdefault(char, []).append(i)
    compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
    for indices in map(tuple, starts.values()):
        if indices not in compiled:
            compiled[indices] = re.compile(
                "|".join(f"(?P<p{i}>{'|'.join(PROBLEMS[i].patterns)})" for i in indices)
            )
    return {char: compiled[tuple(indices)] for char, indices in starts.items()}


_BY_START = _by_start()


# What exactly is wrong, for objects whose faults callers do not confuse: a lift that stands
# still (people in it or not) and one whose door will not close are two faults, a dark lamp and a
# leaning pole two jobs. Two texts that each name a detail and share none are two problems; a
# text that names none (电梯坏了) agrees with any. Not a manhole cover's: one missing cover is told
# as 缺失, 破损, 塌陷 and 翘起来 by its callers (the development set), so it stays one problem.
DETAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "elevator:fault": (
        (
            "stuck",
            "停运|停梯|停用|停了|都停|停一|停好几|停俩|不运行|停摆|困|关在|被关|卡在|里面?有人",
        ),
        ("door", "门.{0,4}?(?:关不上|关不严|打不开|弹开|夹|故障|坏)"),
    ),
    # Which network a cover belongs to: a storm drain's cover and a power cable's at one
    # square are two covers. 下水 is what callers call any cover, so it names no network.
    "manhole:cover": (
        ("rain", "雨水"),
        ("sewage", "污水|化粪"),
        ("power", "电力|供电|电缆|国网"),
        ("telecom", "通信|电信|联通|移动|光缆|网通"),
        ("heat", "热力|供热"),
        ("gas", "燃气|煤气|天然气"),
        ("water", "自来水|给水|供水"),
    ),
    "light:out": (
        ("dark", "不亮|灭|黑|瞎|没亮|不着"),
        ("pole", "杆.{0,4}?(?:倒|歪|斜|断|撞|漏电|晃)|漏电"),
    ),
}
_DETAIL_RES = {
    key: tuple((name, re.compile(pattern)) for name, pattern in named)
    for key, named in DETAILS.items()
}


@lru_cache(maxsize=8192)
def details(text_norm: str, key: str) -> frozenset[str]:
    """The details of problem `key` a normalised text names (DETAILS), empty when none."""
    named = _DETAIL_RES.get(key)
    if not named:
        return frozenset()
    return frozenset(name for name, regex in named if regex.search(text_norm))


# Objects one per unit (单元) of a block: a lift, a drain stack, an entry door. Heating, water and
# power serve the whole building or more, so two units' cold radiators are one problem.
UNIT_SCOPED = frozenset({"elevator", "drain", "property"})


def unit_scoped(key: str) -> bool:
    """Whether problem `key`'s object serves one unit of a building (UNIT_SCOPED)."""
    return key.partition(":")[0] in UNIT_SCOPED


def category_of(key: str) -> str:
    """The category code of problem `key` ("" for none or an unknown key)."""
    return _CATEGORY_OF.get(key, "")


def same_problem(a: str, b: str) -> bool | None:
    """Whether two texts' first problems (keys) agree: None when either names none.

    Only the first problem counts: what follows is often an impact (井盖塌陷 is a cover, not a
    pothole). `object:*` agrees with every fault of its object.
    """
    if not a or not b:
        return None
    if a == b:
        return True
    # Memoised: the merge look-up asks for every candidate, and there are few keys (a few
    # thousand pairs at most).
    same = _SAME.get((a, b))
    if same is None:
        same = _SAME[a, b] = _agree(a, b)
    return same


_SAME: dict[tuple[str, str], bool] = {}
_CATEGORY_OF: dict[str, str] = {}
for _problem in PROBLEMS:
    _CATEGORY_OF.setdefault(_problem.key, _problem.category)


def _agree(a: str, b: str) -> bool:
    if frozenset((a, b)) in COMPATIBLE:
        return True
    object_a, _, fault_a = a.partition(":")
    object_b, _, fault_b = b.partition(":")
    return object_a == object_b and "*" in (fault_a, fault_b)


# Two keys that name one real-world problem from two sides, so two reports of it may merge.
# Kept small and explicit: keys of different objects at one spot (a cover and a pothole, a fallen
# tree and a cut one) must stay apart.
COMPATIBLE: frozenset[frozenset[str]] = frozenset(
    {
        frozenset(("pollution:smoke", "pollution:smell")),  # a chimney's smoke is smelt too
        frozenset(("pollution:fumes", "pollution:smell")),  # and a kitchen's fumes
        # A burst main empties the taps around it: callers nearby report the outage.
        frozenset(("water:burst", "water:outage")),
    }
)
