"""Classification: a source's own category through CategoryAlias, else what the text is about."""

import pytest

from command.intake.classify import classify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("俺家暖气贼拉凉，冻得直哆嗦", "heating"),
        ("家里温度才十三度，供热不达标", "heating"),
        ("小区主干道下面跑水了，水漫到马路上", "water_supply"),
        ("停水两天了也没个通知", "water_supply"),
        ("单元门口下水井往外返臭水", "drainage"),
        ("人行道上井盖子没了", "manhole_cover"),
        ("这条道坑坑洼洼全是大坑", "road_damage"),
        ("那一片路灯都不亮，黑咕隆咚的", "street_lights"),
        ("路口红绿灯一直黄闪", "traffic"),
        ("半夜广场舞音响震天响", "noise"),
        ("后半夜工地还在打桩", "noise"),
        ("楼道里一股煤气味，呛得慌", "gas_leak"),
        ("整个小区都没电了", "power_supply"),
        ("小区里一帮流浪狗见人就咬", "stray_animals"),
        ("早市的摊子摆到马路中间了", "street_vending"),
        ("垃圾站垃圾堆成山好几天没人拉", "garbage"),
        ("门口积雪一直没人清，冰溜子老长", "snow_ice"),
        ("大风把路边的大树刮倒了", "fallen_tree"),
        ("电梯困人半小时了", "elevator"),
        ("公园门口有人打架斗殴", "public_security"),
    ],
)
def test_text_decides_where_the_source_gives_no_category(city, text, code):
    found = classify(text, "", "sms")
    assert found.category.code == code
    assert found.how in ("problem", "keywords")


def test_typos_and_dialect_are_read_as_what_they_mean(city):
    assert classify("没暖器了，屋里冰凉", "", "sms").category.code == "heating"
    assert classify("马葫芦敞着口没人管", "", "sms").category.code == "manhole_cover"
    assert classify("楼下路登都瞎了", "", "sms").category.code == "street_lights"
    assert classify("家里水龙头拧开啥也木有", "", "sms").category.code == "water_supply"


def test_impacts_and_place_names_do_not_decide(city):
    power = classify("停电一整天，冰箱食品变质，电梯也停了", "", "hotline")
    assert power.category.code == "power_supply"
    assert classify("绿地国际花都门口路灯不亮", "", "sms").category.code == "street_lights"


def test_the_text_model_decides_what_the_lexicon_does_not_know(city):
    found = classify("屋里跟冰窖似的，热力公司电话打不通", "", "sms")
    assert (found.category.code, found.how) == ("heating", "model")


def test_other_only_when_nothing_fits(city):
    found = classify("请问办居住证需要什么材料", "", "hotline")
    assert (found.category.code, found.how) == ("other", "fallback")


def test_a_12319_class_maps_through_its_alias_whole_or_by_its_last_part(city):
    found = classify("巡查发现", "事件/街面秩序/占道经营", "12319")
    assert (found.category.code, found.how) == ("street_vending", "source_code")
    assert classify("巡查发现", "部件/公用设施/路灯", "12319").category.code == "street_lights"


def test_a_coarse_source_class_gives_way_to_the_text_in_its_merge_group(city):
    assert classify("行道树被风刮倒", "部件/园林绿化/行道树", "12319").category.code == (
        "fallen_tree"
    )
    assert classify("楼道有燃气味", "燃气", "web").category.code == "gas_leak"
    # Another merge group: the source's class stands.
    assert classify("门口有条流浪狗", "供暖", "web").category.code == "heating"


def test_an_unknown_source_class_is_read_as_text(city):
    assert classify("请尽快处理", "事件/市容环境/乱扔垃圾", "12319").category.code == "garbage"
    found = classify("暖气片冰凉", "投诉", "web")  # a web form's catch-all class
    assert (found.category.code, found.how) == ("heating", "problem")


def test_a_broad_web_class_gives_way_to_the_problem_the_text_names(city):
    # Issue 18, round three: a web form's 物业 box above a lift that drops is about the lift.
    found = classify("7号楼电梯运行抖动，有下坠的感觉，物业说没事", "物业", "web")
    assert (found.category.code, found.how) == ("elevator", "problem")
    # A precise class stays: 供暖 is no box for many departments.
    assert classify("门口有条流浪狗", "供暖", "web").category.code == "heating"
