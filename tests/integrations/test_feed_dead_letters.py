"""Dead letters in the admin: an administrator reads why a record was refused, corrects its
JSON and replays it through the same adapter and intake; a second replay takes nothing twice;
a discarded letter stays discarded. Category aliases are edited there too."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from command.access_rules import ADMIN_GROUP
from command.models import CategoryAlias, Incident, Report, Source
from integrations.feeds import dead_letters
from integrations.models import FeedDeadLetter
from tests.integrations.test_feed_push import case, police, results

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:integrations_feeddeadletter_changelist"


@pytest.fixture
def administrator(city) -> Client:
    admin_user = get_user_model().objects.create_user("admin", password="x", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=ADMIN_GROUP))
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def bad_time(feed_system, push) -> FeedDeadLetter:
    """A 110 record refused for its time, waiting as a dead letter."""
    system = feed_system("110")
    answer = results(push(system, {"records": [police("HRB-LATE", bjsj="2026年12月5日")]}))
    return FeedDeadLetter.objects.get(pk=answer[0]["dead_letter"])


def edit(client: Client, letter: FeedDeadLetter, record) -> object:
    text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
    url = reverse("admin:integrations_feeddeadletter_change", args=[letter.pk])
    return client.post(url, {"record": text})


def act(client: Client, action: str, *letters: FeedDeadLetter) -> object:
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [letter.pk for letter in letters]},
        follow=True,
    )


def test_an_administrator_corrects_and_replays_a_dead_letter(administrator, bad_time):
    page = administrator.get(
        reverse("admin:integrations_feeddeadletter_change", args=[bad_time.pk])
    )
    assert page.status_code == 200
    assert "bjsj: not a time" in page.content.decode()

    record = json.loads(bad_time.record)
    record["bjsj"] = "2026-12-05 08:31:12"
    assert edit(administrator, bad_time, record).status_code == 302
    answer = act(administrator, "replay_selected", bad_time)

    assert answer.status_code == 200
    report = Report.objects.get()
    assert (report.external_id, report.source.code) == ("HRB-LATE", "110")
    assert report.payload["record"]["bjsj"] == "2026-12-05 08:31:12"
    bad_time.refresh_from_db()
    assert bad_time.status == "replayed"
    assert bad_time.replay_result == report.incident.tracking_no
    assert bad_time.replayed_at is not None


def test_replaying_twice_takes_nothing_twice(administrator, bad_time):
    record = json.loads(bad_time.record)
    record["bjsj"] = "2026-12-05 08:31:12"
    edit(administrator, bad_time, record)

    act(administrator, "replay_selected", bad_time)
    counts = (Report.objects.count(), Incident.objects.count())
    act(administrator, "replay_selected", bad_time)

    assert (Report.objects.count(), Incident.objects.count()) == counts == (1, 1)
    bad_time.refresh_from_db()
    assert (bad_time.status, bad_time.replay_result) == (
        "replayed",
        Incident.objects.get().tracking_no,
    )


def test_a_letter_replayed_uncorrected_stays_pending_with_its_reason(administrator, bad_time):
    act(administrator, "replay_selected", bad_time)

    bad_time.refresh_from_db()
    assert bad_time.status == "pending"
    assert bad_time.replay_result.startswith("refused again: bjsj: not a time")
    assert not Report.objects.exists()


def test_a_correction_that_is_not_json_is_refused_by_the_form(administrator, bad_time):
    before = bad_time.record

    response = edit(administrator, bad_time, '{"jjdbh": "HRB-LATE", ')

    assert response.status_code == 200  # the form again, with its error
    assert list(response.context["adminform"].form.errors) == ["record"]
    bad_time.refresh_from_db()
    assert bad_time.record == before


def test_a_discarded_letter_is_not_replayed(administrator, bad_time):
    act(administrator, "discard_selected", bad_time)
    bad_time.refresh_from_db()
    assert bad_time.status == "discarded"

    assert dead_letters.replay([bad_time]) == []
    bad_time.refresh_from_db()
    assert bad_time.status == "discarded"


def test_letters_of_both_formats_replay_together(feed_system, push):
    police_system, urban = feed_system("110"), feed_system("12319")
    results(push(police_system, {"records": [police("P-LATE", bjsj="?")]}))
    results(push(urban, {"cases": [case("C-LATE", slsj="?")]}))
    letters = list(FeedDeadLetter.objects.select_related("system"))
    for letter in letters:
        record = json.loads(letter.record)
        record["bjsj" if letter.system.kind == "110" else "slsj"] = "2026-12-05 08:31:12"
        letter.record = json.dumps(record, ensure_ascii=False)
        letter.save()

    done = dead_letters.replay(letters)

    assert [d.ok for d in done] == [True, True]
    assert set(Report.objects.values_list("external_id", "source__code")) == {
        ("P-LATE", "110"),
        ("C-LATE", "12319"),
    }


def test_a_letter_whose_record_is_not_json_any_more_is_refused_again(bad_time):
    FeedDeadLetter.objects.filter(pk=bad_time.pk).update(record="{broken")
    bad_time.refresh_from_db()

    (done,) = dead_letters.replay([bad_time])

    assert not done.ok
    assert done.result.startswith("refused again: record: not JSON")


def test_a_duty_leader_edits_category_aliases_and_intake_follows(city, user, feed_system, push):
    leader = Client()
    leader.force_login(user("leader"))
    url = reverse("admin:command_categoryalias_add")
    police_source = Source.objects.get(code="110")
    category = CategoryAlias.objects.filter(source=police_source).first().category
    lights = category.__class__.objects.get(code="street_lights")

    response = leader.post(
        url, {"source": police_source.pk, "code": "灯光设施故障 ", "category": lights.pk}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert CategoryAlias.objects.filter(source=police_source, code="灯光设施故障").exists()
    record = police("LAMP-1", jqlb="群众求助", jqlx="灯光设施故障", bjnr="门口有个东西坏了")
    assert results(push(feed_system("110"), {"records": [record]}))[0]["ok"]
    assert Report.objects.get().incident.category.code == "street_lights"
