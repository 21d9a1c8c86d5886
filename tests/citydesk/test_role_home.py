"""citydesk.role_home: which parts of CityDesk each role's home page offers, without HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from django.utils import translation

from citydesk import role_home
from command.models import Role, StaffProfile


def paths(parts: list[role_home.Part]) -> list[str]:
    return [part.path for part in parts]


def test_every_role_has_a_summary_and_its_parts():
    assert set(role_home.SUMMARY_BY_ROLE) == set(Role)
    assert set(role_home.PARTS_BY_ROLE) == set(Role)


def test_the_parts_still_to_come_are_not_served_yet():
    """When a later issue serves one of these, its Part becomes live (and this list shrinks)."""
    parts = {part for parts in role_home.PARTS_BY_ROLE.values() for part in parts}
    coming = {part for part in parts if not part.live}
    assert {part.path for part in coming} == set()
    for part in coming:
        with pytest.raises(Resolver404):
            resolve(part.path)


def test_the_live_parts_are_served():
    parts = {part for parts in role_home.PARTS_BY_ROLE.values() for part in parts}
    live = {part for part in parts if part.live} | {role_home.API_DOCS, role_home.ADMIN}
    assert {part.path for part in live} >= {"/hotline/", "/dispatch/", "/units/", "/performance/"}
    assert {part.path for part in live} >= {"/dashboards/city/", "/dashboards/unit/"}
    assert {part.path for part in live} >= {"/duty/", "/duty/now/"}
    for part in live:
        resolve(part.path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "live", "coming"),
    [
        (
            "operator",
            [
                "/hotline/",
                "/duty/now/",
                "/dashboards/city/",
                "/realtime/probe/?streams=all",
                "/api/docs/",
            ],
            [],
        ),
        (
            "duty",
            [
                "/hotline/",
                "/dispatch/",
                "/duty/",
                "/dashboards/city/",
                "/performance/",
                "/realtime/probe/?streams=all",
                "/api/docs/",
                "/admin/",
            ],
            [],
        ),
        ("intake", ["/api/docs/"], []),
    ],
)
def test_citywide_roles_and_integrators(user, username, live, coming):
    home = role_home.home_for(user(username), probe=True)

    assert paths(home.live) == live
    assert paths(home.coming) == coming
    assert home.summary == role_home.SUMMARY_BY_ROLE[home.role]
    assert home.identity.unit_name is None


@pytest.mark.django_db
def test_unit_staff_follow_their_own_unit_and_see_its_name(user, unit):
    water = unit("哈尔滨市水务局")

    home = role_home.home_for(user("water"), probe=True)

    assert home.role == Role.UNIT_STAFF
    assert paths(home.live) == [
        "/units/",
        "/dashboards/unit/",
        "/performance/",
        f"/realtime/probe/?streams=unit:{water.id}",
        "/api/docs/",
    ]
    assert paths(home.coming) == []
    assert home.identity.unit_name == "哈尔滨市水务局"
    with translation.override("zh-hans"):  # labels are lazy: in the language active now
        assert str(home.identity.role_label) == "承办单位人员"


@pytest.mark.django_db
def test_unit_staff_without_a_unit_get_no_probe(user):
    StaffProfile.objects.filter(user__username="daoli").update(unit=None)

    home = role_home.home_for(user("daoli"), probe=True)

    assert paths(home.live) == ["/units/", "/performance/", "/api/docs/"]


@pytest.mark.django_db
def test_no_probe_unless_it_is_served(user):
    home = role_home.home_for(user("operator"), probe=False)

    assert paths(home.live) == ["/hotline/", "/duty/now/", "/dashboards/city/", "/api/docs/"]


@pytest.mark.django_db
def test_a_user_without_a_profile_has_no_role_and_no_parts():
    nobody = get_user_model().objects.create_user("nobody")

    home = role_home.home_for(nobody, probe=True)

    assert home.role is None
    assert home.summary is None
    assert home.parts == []
    assert home.identity.role_label is None


@pytest.mark.django_db
def test_staff_without_a_profile_keep_the_admin():
    clerk = get_user_model().objects.create_user("clerk", is_staff=True)

    home = role_home.home_for(clerk, probe=True)

    assert paths(home.parts) == ["/admin/"]


@pytest.mark.django_db
def test_the_name_shown_is_the_full_name_when_there_is_one(user):
    operator = user("operator")
    operator.first_name = "李小红"  # a Chinese name whole, in one field
    operator.save()

    assert role_home.identity_of(operator).name == "李小红"
