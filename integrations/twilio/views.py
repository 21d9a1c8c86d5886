"""Twilio's webhooks: check the signature, turn the form into a plain value, hand it on, answer
TwiML. Refusals are 403 (unsigned) and 400 (fields missing); a database that does not answer
is a 503, which Twilio may retry (every handler is idempotent on Twilio's id)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import handlers
from integrations.messages import DeliveryReport, InboundSms, IncomingCall
from integrations.sms import outbox
from integrations.twilio import signature, twiml

log = logging.getLogger(__name__)
MAX_FIELD = 64


def twilio_webhook(view: Callable[[HttpRequest], HttpResponse]):
    """POST only, no CSRF token (Twilio signs instead), signature first, 503 on a database
    error rather than a 500."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        if not signature.is_signed(request):
            return HttpResponseForbidden("Invalid or missing X-Twilio-Signature.")
        try:
            return view(request)
        except DatabaseError:
            log.exception("Twilio webhook %s: database unavailable", request.path)
            response = HttpResponse("Unavailable, try again.", status=503)
            response["Retry-After"] = "30"
            return response

    return checked


def _missing(request: HttpRequest, *names: str) -> HttpResponse | None:
    absent = [name for name in names if not request.POST.get(name, "").strip()]
    if absent:
        return HttpResponseBadRequest(f"Missing: {', '.join(absent)}.")
    too_long = [name for name in names if name != "Body" and len(request.POST[name]) > MAX_FIELD]
    if too_long:
        return HttpResponseBadRequest(f"Too long: {', '.join(too_long)}.")
    return None


@twilio_webhook
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A citizen's text: to the conversation (complaint, query, satisfaction answer, help)."""
    refusal = _missing(request, "MessageSid", "From", "Body")
    if refusal:
        return refusal
    sms = InboundSms(
        message_sid=request.POST["MessageSid"],
        sender=request.POST["From"].strip(),
        to=request.POST.get("To", "")[:MAX_FIELD],
        body=request.POST["Body"],
        received_at=timezone.now(),
    )
    handlers.sms_conversation()(sms)
    return twiml.empty()


@twilio_webhook
def sms_status(request: HttpRequest) -> HttpResponse:
    """A delivery report of a text we sent (the status callback given when sending)."""
    refusal = _missing(request, "MessageSid", "MessageStatus")
    if refusal:
        return refusal
    outbox.record_delivery(
        DeliveryReport(
            provider_id=request.POST["MessageSid"],
            status=request.POST["MessageStatus"].strip().lower(),
            error_code=request.POST.get("ErrorCode", ""),
        )
    )
    return HttpResponse(status=204)


@twilio_webhook
def voice_inbound(request: HttpRequest) -> HttpResponse:
    """A call ringing: recorded and announced to the operators' consoles, then queued."""
    refusal = _missing(request, "CallSid", "From")
    if refusal:
        return refusal
    call = IncomingCall(
        call_sid=request.POST["CallSid"],
        caller=request.POST["From"].strip(),
        to=request.POST.get("To", "")[:MAX_FIELD],
        status=request.POST.get("CallStatus", "ringing")[:MAX_FIELD].lower(),
        at=timezone.now(),
    )
    handlers.voice_calls()(call)
    return twiml.greet_and_queue()
