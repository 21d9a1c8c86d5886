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
