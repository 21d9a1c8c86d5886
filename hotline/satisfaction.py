"""The satisfaction survey (满意度回访): after an incident is resolved, each of its reporters with
a mobile number is asked once by text (1 满意 / 2 基本满意 / 3 不满意); the answer is stored, and
不满意 reopens the incident through the lifecycle, which puts it back in the duty room's
dispatch queue and announces it there like any reopen (marked on the timeline as the citizen's).

How resolutions are found: `ask_new_resolutions` reads `assignment.resolved` events from the
outbox after a cursor kept in the database (`SurveyCursor.last_seq`). Seq is handed out in
commit order with no holes filling in later, so a cursor on it never skips an event. It runs
after every batch this process's relay publishes (`relay.on_published`, registered in
HotlineConfig.ready: at once in the embedded mode) and from Celery beat every minute (services
mode, and to catch up whatever a listener missed). The core never imports the hotline. A survey
is one row per (resolution, phone): a second scan of the same events asks nobody twice.

`counts` gives unit performance (command.performance.kpis) its satisfaction figure, through the
setting CITYDESK_SATISFACTION: 满意 and 基本满意 both count as satisfied.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from command import lifecycle
from command.errors import IllegalTransition
from command.models import Assignment, Incident, IncidentStatus, OutboxEvent, Report, TimelineEntry
from command.outbox import relay
from command.performance.kpis import PERIODS, SatisfactionCount, period_day
from hotline import phones, replies
from hotline.models import Answer, SatisfactionSurvey, SurveyCursor

log = logging.getLogger(__name__)

RESOLVED = "assignment.resolved"
RATINGS = {
    "1": Answer.SATISFIED,
    "满意": Answer.SATISFIED,
    "2": Answer.MOSTLY,
    "基本满意": Answer.MOSTLY,
    "3": Answer.UNSATISFIED,
    "不满意": Answer.UNSATISFIED,
}
# A survey unanswered this long is closed: a "3" a month later is not about it any more.
ANSWER_WINDOW = timedelta(days=7)
# What counts as satisfied in the satisfaction rate (the city office's usual convention).
SATISFIED = (Answer.SATISFIED, Answer.MOSTLY)
REOPEN_ACTOR = "citizen:sms"
REOPEN_NOTE = "市民短信回访不满意，重新交办"


def rating_of(text: str) -> str | None:
    """The answer a text gives (full-width digits and trailing punctuation allowed), or None."""
    cleaned = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！ ")
    return RATINGS.get(cleaned)


def ask_new_resolutions(now: datetime | None = None) -> int:
    """Queue one survey text per reporter of every resolution published since the cursor.
    Returns how many were asked. Safe to run anywhere, any number of times at once."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor = SurveyCursor.objects.select_for_update().order_by("id").first()
        if cursor is None:  # the migration makes it; a database set up otherwise starts now
            cursor = SurveyCursor.objects.create(last_seq=relay.head())
        head = relay.head()  # every seq up to it is committed
        resolved = OutboxEvent.objects.filter(
            seq__gt=cursor.last_seq, seq__lte=head, type=RESOLVED
        ).order_by("seq")
        asked = sum(_ask(event, now) for event in resolved)
        cursor.last_seq = max(head, cursor.last_seq)
        cursor.save(update_fields=["last_seq"])
    return asked


def _ask(event: OutboxEvent, now: datetime) -> int:
    incident = Incident.objects.filter(pk=event.incident_id).first()
    if incident is None or incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return 0  # reopened (or merged) before we asked: this resolution is not the last word
    numbers = Report.objects.filter(incident=incident).values_list("reporter_phone", flat=True)
    asked = 0
    for phone in sorted({phones.canonical(n) for n in numbers if phones.can_text(n)}):
        survey, created = SatisfactionSurvey.objects.get_or_create(
            resolution=event.payload.get("timeline_id") or event.id,
            phone=phone,
            defaults={"incident": incident, "asked_at": now},
        )
        if created:
            text = replies.SURVEY.format(tracking_no=incident.tracking_no)
            replies.send(phone, text, key=f"survey:{survey.id}", purpose="survey")
            asked += 1
    return asked


def answer(phone: str, rating: str, now: datetime) -> str | None:
    """Store `phone`'s answer to its latest open survey and return the reply; None if it has
    none open (the text is then read as something else). 不满意 reopens the incident."""
    survey = (
        SatisfactionSurvey.objects.select_for_update()
        .select_related("incident")
        .filter(phone=phones.canonical(phone), answer="", asked_at__gte=now - ANSWER_WINDOW)
        .order_by("-asked_at", "-id")
        .first()
    )
    if survey is None:
        return None
    survey.answer, survey.answered_at = rating, now
    reply = replies.THANKS
    if rating == Answer.UNSATISFIED:
        reply = _reopen(survey)
    survey.save()
    return reply


def _reopen(survey: SatisfactionSurvey) -> str:
    tracking_no = survey.incident.tracking_no
    request = lifecycle.Request(
        "reopen",
        note=REOPEN_NOTE,
        # The citizen is no staff role: a system request, labelled as theirs on the timeline.
        system=True,
        actor_label=REOPEN_ACTOR,
        data={"survey": survey.id, "answer": survey.answer, "alert": "duty_room"},
    )
    try:
        lifecycle.apply(survey.incident_id, request)
    except IllegalTransition:
        # Already reopened (another reporter, an operator) or merged: the duty room has it.
        return replies.UNSATISFIED.format(tracking_no=tracking_no)
    survey.reopened = True
    log.info("incident %s reopened by a citizen's survey answer", tracking_no)
    return replies.REOPENED.format(tracking_no=tracking_no)


def on_published(events: list[OutboxEvent]) -> None:
    """relay.on_published listener: a resolution went out; ask its reporters (a task)."""
    if any(event.type == RESOLVED for event in events):
        from hotline.tasks import ask_satisfaction

        ask_satisfaction.delay()


def counts(
    chosen: QuerySet[Assignment], key: str, period: str | None = None
) -> list[SatisfactionCount]:
    """The answers about resolutions by the `chosen` assignments, per `key` (a column of the
    assignment: unit_id, district_id, category_id, as dispatched) and per `period` of dispatch
    ("day", "week", "month") if given; satisfied = 满意 + 基本满意. One grouped query.

    A survey is about one resolution (its timeline entry); the assignment that resolution
    closed is the incident's one resolved at that entry's time (the lifecycle writes both in
    one step with one clock)."""
    resolved = TimelineEntry.objects.filter(pk=OuterRef("resolution")).values("at")[:1]
    theirs = chosen.filter(incident_id=OuterRef("incident_id"), resolved_at=OuterRef("resolved"))
    groups = {"group_key": Subquery(theirs.values(key)[:1])}
    if period is not None:
        dispatched = Subquery(theirs.values("dispatched_at")[:1])
        groups["bucket"] = PERIODS[period](dispatched, tzinfo=timezone.get_default_timezone())
    rows = (
        SatisfactionSurvey.objects.exclude(answer="")
        .annotate(resolved=Subquery(resolved))
        .filter(Exists(theirs))
        .annotate(**groups)
        .values(*groups)
        .annotate(answers=Count("id"), satisfied=Count("id", filter=Q(answer__in=SATISFIED)))
        .order_by()
    )
    return [
        SatisfactionCount(
            key=row["group_key"],
            period=period_day(row.get("bucket")),
            satisfied=row["satisfied"],
            answers=row["answers"],
        )
        for row in rows
    ]
