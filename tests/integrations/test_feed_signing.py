"""The feeds' HMAC protocol: what a sender signs, the receiver checks, in both directions."""

from __future__ import annotations

import pytest

from integrations.feeds import signing

SECRET = "s3cret-of-the-110-system"
BODY = b'{"records": []}'
NOW = 1_796_000_000.0


def test_it_accepts_what_it_signed():
    headers = signing.signed_headers("hrb-110", SECRET, BODY, now=NOW)
    assert signing.check(SECRET, headers, BODY, now=NOW + 10) == headers[signing.NONCE]


@pytest.mark.parametrize(
    "change",
    [
        lambda h, b: (h, b + b" "),  # body altered
        lambda h, b: ({**h, signing.TIMESTAMP: str(int(NOW) + 1)}, b),  # timestamp altered
        lambda h, b: ({**h, signing.NONCE: "x" * 20}, b),  # nonce altered
    ],
)
def test_it_refuses_an_altered_request(change):
    headers, body = change(signing.signed_headers("hrb-110", SECRET, BODY, now=NOW), BODY)
    with pytest.raises(signing.Refused) as refused:
        signing.check(SECRET, headers, body, now=NOW)
    assert refused.value.status == 401


def test_it_refuses_another_systems_secret():
    headers = signing.signed_headers("hrb-110", "another secret", BODY, now=NOW)
    with pytest.raises(signing.Refused, match="bad signature"):
        signing.check(SECRET, headers, BODY, now=NOW)


@pytest.mark.parametrize("skew", [-signing.REPLAY_WINDOW_S - 1, signing.REPLAY_WINDOW_S + 1])
def test_it_refuses_a_stale_or_future_timestamp(skew):
    headers = signing.signed_headers("hrb-110", SECRET, BODY, now=NOW)
    with pytest.raises(signing.Refused, match="replay window"):
        signing.check(SECRET, headers, BODY, now=NOW - skew)


@pytest.mark.parametrize("missing", [signing.TIMESTAMP, signing.NONCE, signing.SIGNATURE])
def test_it_refuses_a_missing_header(missing):
    headers = signing.signed_headers("hrb-110", SECRET, BODY, now=NOW)
    del headers[missing]
    with pytest.raises(signing.Refused, match="missing"):
        signing.check(SECRET, headers, BODY, now=NOW)


@pytest.mark.parametrize(("timestamp", "nonce"), [("12a", "n" * 20), (str(int(NOW)), "short")])
def test_it_refuses_a_malformed_timestamp_or_nonce(timestamp, nonce):
    headers = {signing.TIMESTAMP: timestamp, signing.NONCE: nonce, signing.SIGNATURE: "sha256=0"}
    with pytest.raises(signing.Refused, match="malformed"):
        signing.check(SECRET, headers, BODY, now=NOW)
