"""TwiML answers (Twilio's XML), built with twilio's own builders so they are always valid."""

from __future__ import annotations

from django.http import HttpResponse
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

CONTENT_TYPE = "text/xml; charset=utf-8"
GREETING = "您好，这里是12345市民服务热线，正在为您转接话务员，请稍候。"
QUEUE = "hotline"


def empty() -> HttpResponse:
    """Nothing to say now: replies to a text leave through the SMS outbox, never in the answer,
    so a webhook Twilio retries cannot text the citizen twice."""
    return HttpResponse(str(MessagingResponse()), content_type=CONTENT_TYPE)


def greet_and_queue() -> HttpResponse:
    """A caller hears a greeting and waits in the operators' queue."""
    response = VoiceResponse()
    response.say(GREETING, language="cmn-CN")
    response.enqueue(QUEUE)
    return HttpResponse(str(response), content_type=CONTENT_TYPE)
