"""manage.py add_feed_system: a system registered from the command line, its secret printed
once and good for signing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.feeds import signing
from integrations.models import FeedSystem

pytestmark = pytest.mark.django_db


def add(*args: str) -> str:
    out = io.StringIO()
    call_command("add_feed_system", *args, stdout=out)
    return out.getvalue()


def test_it_registers_a_system_and_prints_its_secret_once():
    printed = add(
        "--kind", "12319", "--code", "hrb-12319", "--name", "哈尔滨数字城管",
        "--pull-url", "https://12319.example/api/cases", "--callback-url", "https://12319.example/cb",
    )  # fmt: skip

    system = FeedSystem.objects.get()
    assert (system.kind, system.source_code, system.active) == ("12319", "12319", True)
    assert system.pull_url == "https://12319.example/api/cases"
    assert system.callback_url == "https://12319.example/cb"
    assert printed.strip().splitlines()[-1] == system.secret
    assert len(system.secret) >= 40
    headers = signing.signed_headers(system.code, printed.strip().splitlines()[-1], b"{}")
    assert signing.check(system.secret, headers, b"{}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "hrb-110"], "exists already"),
        (["--code", "bad code!"], "code"),
        (["--code", "x-110", "--pull-url", "not a url"], "pull_url"),
    ],
)
def test_it_refuses_a_taken_code_or_bad_values(args, message):
    add("--kind", "110", "--code", "hrb-110", "--name", "110")

    with pytest.raises(CommandError, match=message):
        add("--kind", "110", "--name", "again", *args)
    assert FeedSystem.objects.count() == 1


def test_it_refuses_an_unknown_kind():
    with pytest.raises(CommandError):
        add("--kind", "119", "--code", "hrb-119", "--name", "119")
