"""The seed taxonomy in command/data/categories.json: well-formed, loadable, unambiguous."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import command
from command.models import Category, Priority, UnitKind
from command.routing.sla import InvalidSla, parse_sla

TAXONOMY = Path(command.__file__).parent / "data" / "categories.json"
FIELDS = {
    "code",
    "name",
    "name_en",
    "parent",
    "unit_kind",
    "sla_routine",
    "sla_urgent",
    "sla_major",
    "default_priority",
    "keywords",
    "merge_group",
}
# Must be there: the fallback, and what Harbin's hotline hears most.
REQUIRED = {"other", "noise", "water_supply", "drainage", "heating", "gas_leak", "snow_ice"}


@pytest.fixture(scope="module")
def categories() -> list[dict]:
    return json.loads(TAXONOMY.read_text(encoding="utf-8"))


def test_every_entry_has_exactly_the_category_fields(categories) -> None:
    assert 20 <= len(categories) <= 30
    assert [sorted(set(c) ^ FIELDS) for c in categories] == [[]] * len(categories)


def test_codes_are_unique_snake_case_and_include_the_fallback(categories) -> None:
    codes = [c["code"] for c in categories]
    assert [code for code, n in Counter(codes).items() if n > 1] == []
    assert [code for code in codes if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code)] == []
    assert REQUIRED - set(codes) == set()


def test_every_sla_spec_parses(categories) -> None:
    bad = []
    for c in categories:
        for field in ("sla_routine", "sla_urgent", "sla_major"):
            try:
                parse_sla(c[field])
            except InvalidSla as exc:
                bad.append(f"{c['code']}.{field}: {exc}")
    assert bad == []


def test_unit_kinds_and_priorities_are_known_choices(categories) -> None:
    assert {c["unit_kind"] for c in categories} <= set(UnitKind.values)
    assert {c["default_priority"] for c in categories} <= set(Priority.values)


def test_parents_exist_and_are_top_level(categories) -> None:
    by_code = {c["code"]: c for c in categories}
    children = [c for c in categories if c["parent"] is not None]
    assert [c["code"] for c in children if c["parent"] not in by_code] == []
    assert [c["code"] for c in children if by_code[c["parent"]]["parent"] is not None] == []


def test_every_category_but_other_has_keywords(categories) -> None:
    empty = [c["code"] for c in categories if not c["keywords"]]
    assert empty == ["other"]
    short = [w for c in categories for w in c["keywords"] if len(w.strip()) < 2]
    assert short == []


def test_no_keyword_belongs_to_two_categories(categories) -> None:
    counts = Counter(word for c in categories for word in set(c["keywords"]))
    assert [word for word, n in counts.items() if n > 1] == []


def test_danger_categories_are_due_within_two_hours(categories) -> None:
    by_code = {c["code"]: c for c in categories}
    for code in ("gas_leak", "manhole_cover", "fallen_tree"):
        category = by_code[code]
        assert category["default_priority"] in {Priority.URGENT, Priority.MAJOR}
        sla = parse_sla(category[f"sla_{category['default_priority']}"])
        assert (sla.amount, sla.unit) == (2, "hours")


@pytest.mark.django_db
def test_the_taxonomy_loads_into_category_rows(categories) -> None:
    # full_clean checks field lengths and choices the way the admin would.
    for data in sorted(categories, key=lambda c: c["parent"] is not None):
        parent = Category.objects.get(code=data["parent"]) if data["parent"] else None
        category = Category(**{**data, "parent": parent})
        category.full_clean()
        category.save()
    assert Category.objects.count() == len(categories)
    assert Category.objects.get(code="heating").sla_for(Priority.ROUTINE) == "24h"
