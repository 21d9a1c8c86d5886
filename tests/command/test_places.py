"""Place names written one way: crossings and building numbers."""

import pytest

from command.intake import places
from command.intake.similarity import normalise


@pytest.mark.parametrize(
    "text",
    [
        "学府路与文化街交口",
        "学府路文化街口",
        "学府路文化街路口",
        "学府路和文化街交叉口",
        "学府路-文化街",
    ],
)
def test_every_way_of_naming_a_crossing_is_one(text):
    assert normalise(text).startswith("学府路文化街")
    assert normalise(text) in ("学府路文化街口", "学府路文化街")


@pytest.mark.parametrize("text", ["3#楼", "3号楼", "３号楼", "3栋", "三号楼", "3号搂"])
def test_every_way_of_writing_building_three_is_one(text):
    assert normalise(f"幸福小区{text}门口") == "幸福小区3号楼门口"


def test_chinese_numerals_of_buildings_become_digits_but_counts_stay_words():
    assert normalise("十九栋") == "19号楼"
    assert normalise("二十二号楼") == "22号楼"
    assert normalise("一栋房子") == "一栋房子"


def test_buildings_are_the_numbers_a_text_names():
    assert places.buildings(normalise("幸福小区3#楼和5栋都没暖气")) == {"3", "5"}
    assert places.buildings(normalise("学府路文化街口")) == frozenset()


@pytest.mark.parametrize(
    ("address", "keys"),
    [
        # The city and district go, what is finer or vaguer than a place is cut off.
        ("哈尔滨市南岗区和兴路文化小区6号楼2单元", ("和兴路文化小区", "文化小区", "和兴路")),
        ("道里区经纬街某在建工地", ("经纬街",)),
        ("香坊区和平小区8栋", ("和平小区",)),
        ("南岗区果戈里大街秋林公司东侧", ("果戈里大街秋林公司", "秋林公司", "果戈里大街")),
        # A landmark after its street, without its generic tail; the street alone as well (a
        # caller may name the landmark another way, 工大 for 工业大学).
        ("南岗区红军街博物馆公交站", ("红军街博物馆公交站", "博物馆", "红军街")),
        # A facility or a part of a place: the place without it too.
        ("道外区幸福家园锅炉房", ("幸福家园锅炉房", "幸福家园")),
        ("松北区江心岛景区坡道", ("江心岛景区坡道", "江心岛景区", "江心岛")),
        # ... as long as a place stays (东方 alone is too short to be told apart).
        ("香坊区通达街东方家属区", ("通达街东方家属区", "东方家属区", "通达街")),
        # A crossing is a key whichever way it is written; it is no landmark of its first street.
        # And as its two streets, which callers name in either order and their own words.
        ("道外区景阳街与南七道街交口", ("景阳街南七道街口", "景阳街+南七道街")),
        ("景阳街南七道街路口", ("景阳街南七道街口", "景阳街+南七道街")),
        ("景阳街南七道街口", ("景阳街南七道街口", "景阳街+南七道街")),
        ("香坊区民生大街/公滨路", ("民生大街公滨路", "民生大街+公滨路")),
    ],
)
def test_place_keys_are_where_an_address_is(address, keys):
    assert places.place_keys(normalise(address)) == keys


def test_an_address_naming_only_a_district_or_a_vague_spot_has_no_place():
    assert places.place_keys(normalise("南岗区")) == ()
    assert places.place_keys(normalise("道里区某小区附近")) == ()


def test_units_are_the_stairwells_a_text_names():
    assert places.units(normalise("8号楼3单元和五单元的电梯都坏了")) == {"3", "5"}
    assert places.units(normalise("8号楼电梯坏了")) == frozenset()


def test_sides_are_where_on_a_street_a_text_places_itself_not_where_it_denies():
    assert places.sides(normalise("某大街商场南侧便道")) == {"南"}
    assert places.sides(normalise("某大道西边辅路")) == {"西"}
    assert places.sides(normalise("某大街路北机动车道，不是南边那个")) == {"北"}
    assert places.sides(normalise("非东侧，在西侧")) == {"西"}
    # Street and station names are not sides.
    assert places.sides(normalise("南岗区东大直街三棵树东站")) == frozenset()
    assert places.sides(normalise("友谊路西十六道街口")) == frozenset()


def test_a_crossing_is_named_by_its_streets_in_any_order_and_wording():
    (crossing, streets) = places.place_keys(normalise("南岗区民生大街与公滨路交口"))
    assert places.names(normalise("公滨路靠近民生大街一侧垃圾成堆"), streets)
    assert places.names(normalise("民生大街公滨路路口"), crossing)
    assert not places.names(normalise("民生大街上垃圾成堆"), streets)
    assert not places.names(normalise("民生大街上垃圾成堆"), crossing)
