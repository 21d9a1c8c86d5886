"""The real-time probe page (DEBUG only) follows, by default, what its user may read."""

import pytest

from command.realtime.pages import own_streams, realtime_probe

pytestmark = pytest.mark.django_db


def test_duty_staff_follow_the_whole_city(user):
    assert own_streams(user("duty")) == ["all"]


def test_unit_staff_follow_their_own_unit_not_the_city(user, unit):
    assert own_streams(user("water")) == [f"unit:{unit('哈尔滨市水务局').id}"]


def test_the_page_without_parameters_subscribes_the_users_own_streams(rf, user, unit):
    """Called directly: the page is routed only with DEBUG on (`make demo`)."""
    request = rf.get("/realtime/probe/")
    request.user = user("water")

    page = realtime_probe(request)

    assert page.status_code == 200
    assert f'"unit:{unit("哈尔滨市水务局").id}"' in page.content.decode()
    assert '"all"' not in page.content.decode()


def test_an_account_without_a_role_follows_nothing(client, city, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")

    assert own_streams(nobody) == []
