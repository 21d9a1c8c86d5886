"""manage.py setup_demo: the demo city, idempotent."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from command import demo
from command.api_keys import hash_key
from command.models import ApiKey, Category, District, Source, StaffProfile, Unit

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Source, Category, District, Unit, StaffProfile, get_user_model())
    )


def test_setup_demo_builds_the_city_and_running_it_again_changes_nothing(city):
    before = counts()
    key_before = ApiKey.objects.filter(active=True).count()
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
    assert ApiKey.objects.filter(active=True).count() == key_before
    assert before[2] == 18  # Harbin's districts, from the real polygons
    assert Unit.objects.filter(kind="district_government").count() == 18


def test_every_category_has_a_unit_in_every_district(city):
    from command.routing import unit_for

    for district in District.objects.all():
        for category in Category.objects.all():
            assert unit_for(district, category) is not None, (district, category)


def test_every_role_has_a_demo_user_with_the_demo_password(city, settings):
    for demo_user in demo.USERS:
        user = get_user_model().objects.get(username=demo_user.username)
        assert user.check_password(settings.CITYDESK["DEMO_PASSWORD"])
        assert user.staffprofile.role == demo_user.role


def test_the_intake_key_comes_from_the_environment_when_set(city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "DEMO_API_KEY": "demo-key-from-env-123"}
    assert demo.load_api_key() == "demo-key-from-env-123"
    key = ApiKey.objects.get(key_hash=hash_key("demo-key-from-env-123"))
    assert key.active
    assert key.user.username == "intake"
    # Run again: the same key, no new row.
    assert demo.load_api_key() == "demo-key-from-env-123"
    assert ApiKey.objects.filter(key_hash=hash_key("demo-key-from-env-123")).count() == 1


def test_the_banner_names_the_address_the_demo_serves_on(city):
    out = io.StringIO()
    call_command("demo_banner", "--port", "8001", stdout=out)
    assert "http://127.0.0.1:8001/api/docs/" in out.getvalue()
    assert "http://127.0.0.1:8001/accounts/login/" in out.getvalue()
    assert ":8000" not in out.getvalue()
