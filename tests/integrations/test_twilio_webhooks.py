"""Twilio's webhooks, signed with twilio's own RequestValidator: only a valid signature over the
public URL is let in, bad input is a 4xx, and a retried MessageSid is taken once."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from command.models import OutboxEvent, Report
from hotline.models import Call, InboundMessage
from integrations.models import DeliveryStatus, OutboundSms, SmsStatus
from tests.sms_fixtures import CITIZEN, HOTLINE_NUMBER, PUBLIC, sign

pytestmark = pytest.mark.django_db

SMS = "/integrations/twilio/sms/"
STATUS = "/integrations/twilio/sms/status/"
VOICE = "/integrations/twilio/voice/"
COMPLAINT = "中央大街与西十二道街交口自来水管爆裂，水流满街"


def sms(sid: str = "SM" + "1" * 32, body: str = COMPLAINT, sender: str = CITIZEN) -> dict:
    return {"MessageSid": sid, "From": sender, "To": HOTLINE_NUMBER, "Body": body}


def test_a_signed_text_becomes_a_report_and_its_receipt_names_the_tracking_no(city, text):
    response = text(COMPLAINT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert ElementTree.fromstring(response.content).tag == "Response"
    report = Report.objects.get()
    assert (report.source.code, report.reporter_phone, report.text) == ("sms", CITIZEN, COMPLAINT)
    (receipt,) = OutboundSms.objects.all()
    assert receipt.status == SmsStatus.SENT
    assert report.incident.tracking_no in receipt.body


def test_a_replayed_message_sid_makes_one_report_and_one_receipt(city, text, sms_outbox):
    answers = [text(COMPLAINT, sid="SM" + "7" * 32) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert Report.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert len(sms_outbox) == 1
    assert OutboundSms.objects.count() == 1


def test_the_signature_is_checked_over_the_public_url_not_the_host_that_arrived(city, webhook):
    # The test client's host is "testserver"; Twilio signed the public address.
    assert webhook(SMS, sms(), HTTP_HOST="testserver").status_code == 200


def test_it_refuses_a_tampered_body(city, webhook):
    params = sms()
    signature = sign(PUBLIC + SMS, params)
    params["Body"] = "改过的内容：中央大街井盖丢失"

    assert webhook(SMS, params, signature=signature).status_code == 403
    assert not Report.objects.exists()


def test_it_refuses_a_missing_signature(city, webhook):
    assert webhook(SMS, sms(), signature="").status_code == 403
    assert not InboundMessage.objects.exists()


def test_it_refuses_a_signature_made_for_another_host(city, webhook):
    params = sms()
    signature = sign("https://attacker.example" + SMS, params)

    assert webhook(SMS, params, signature=signature).status_code == 403


def test_it_refuses_everything_when_no_token_is_configured(city, webhook, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    params = sms()

    assert webhook(SMS, params, signature=sign(PUBLIC + SMS, params, token="")).status_code == 403
    assert webhook(SMS, params).status_code == 403
    assert not InboundMessage.objects.exists()


def test_it_refuses_everything_when_no_public_url_is_configured(city, webhook, settings):
    params = sms()
    signature = sign(PUBLIC + SMS, params)
    settings.CITYDESK_PUBLIC_BASE_URL = ""

    assert webhook(SMS, params, signature=signature).status_code == 403


@pytest.mark.parametrize("field", ["From", "Body", "MessageSid"])
def test_a_signed_text_without_a_field_is_a_400(city, webhook, field):
    params = sms()
    del params[field]

    response = webhook(SMS, params)

    assert response.status_code == 400
    assert field in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_get_is_not_a_webhook(city, twilio, client):
    assert client.get(SMS).status_code == 405


def test_delivery_reports_are_kept_once_per_status_and_never_move_a_message_back(
    city, text, webhook
):
    text(COMPLAINT)
    message = OutboundSms.objects.get()
    assert message.status == SmsStatus.SENT

    def report(status: str) -> int:
        params = {"MessageSid": message.provider_id, "MessageStatus": status}
        return webhook(STATUS, params).status_code

    assert [report(s) for s in ("delivered", "delivered", "sent", "sending")] == [204] * 4

    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED
    assert sorted(
        DeliveryStatus.objects.filter(provider_id=message.provider_id).values_list(
            "status", flat=True
        )
    ) == ["delivered", "sending", "sent"]


def test_an_unsigned_delivery_report_is_refused(city, webhook):
    params = {"MessageSid": "SM" + "2" * 32, "MessageStatus": "delivered"}
    assert webhook(STATUS, params, signature="forged").status_code == 403
    assert not DeliveryStatus.objects.exists()


def test_a_call_is_recorded_once_announced_on_the_hotline_stream_and_answered_with_twiml(
    city, webhook
):
    params = {"CallSid": "CA" + "3" * 32, "From": CITIZEN, "To": HOTLINE_NUMBER}

    first = webhook(VOICE, {**params, "CallStatus": "ringing"})
    again = webhook(VOICE, {**params, "CallStatus": "in-progress"})

    assert first.status_code == again.status_code == 200
    root = ElementTree.fromstring(first.content)
    assert [child.tag for child in root] == ["Say", "Enqueue"]
    assert "12345" in root.find("Say").text
    call = Call.objects.get()
    assert (call.caller, call.status) == (CITIZEN, "in-progress")
    (event,) = OutboxEvent.objects.filter(type="call.incoming")
    assert event.streams == ["hotline"]
    assert event.incident_id is None
    assert event.payload["call"] == {"id": call.id}
    # One payload for every reader: the number is nowhere in it, not even masked digits.
    assert "13800138000" not in str(event.payload)
    assert "8000" not in str(event.payload)


def test_an_unsigned_call_is_refused(city, webhook):
    params = {"CallSid": "CA" + "4" * 32, "From": CITIZEN}
    assert webhook(VOICE, params, signature="x").status_code == 403
    assert not Call.objects.exists()


def test_a_signed_call_without_a_caller_is_a_400(city, webhook):
    assert webhook(VOICE, {"CallSid": "CA" + "5" * 32}).status_code == 400
