"""Unit performance figures for any period, per unit, district or category (and per day, week
or month): counted by the database in one grouped query with conditional aggregation, never row
by row in Python, so a year of a city's assignments (~1 million) stays a matter of seconds.

The figures describe assignments dispatched in the period [start, end):
  on-time signing     signed by the sign deadline / signing due (signed, or its limit passed
                      while the unit held it: one returned before its limit is not due)
  on-time resolution  resolved by the deadline / resolution due (resolved, or its deadline
                      passed while the unit held it, open now or returned/withdrawn later)
  return rate         returns counted (returns_counted) / dispatched
  extension rate      extensions requested / dispatched
  handling time       mean of resolved_at - dispatched_at over those resolved
  open, overdue       still with the unit now (dispatched, signed or in hand), and of those past
                      their deadline
  satisfaction        satisfied answers (满意 and 基本满意, the city office's usual convention)
                      / answers, to the survey texts about resolutions by the period's
                      assignments: counted by the function CITYDESK_SATISFACTION names
                      (hotline.satisfaction.counts; command never imports the hotline)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.module_loading import import_string

from command.models import Assignment, AssignmentStatus, Category, District, Unit

# What a group's rows are keyed by (a column of the assignment: district and category as
# dispatched), and the table naming each key. Names are read afterwards (a few dozen rows), so
# the grouped query reads the assignments alone: joining a year's incidents took seconds more.
GROUPS: dict[str, tuple[str, type[models.Model], str]] = {
    "unit": ("unit_id", Unit, "name"),
    "district": ("district_id", District, "name"),
    "category": ("category_id", Category, "name"),
}
PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
WITH_UNIT = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS)


def returns_counted() -> Q:
    """The returns a unit's return rate counts: only those duty staff overruled (the ticket was
    the unit's after all, lifecycle's `overrule_return`); a misrouted ticket handed back rightly
    is the dispatcher's error, not the unit's."""
    return Q(status=AssignmentStatus.RETURNED, return_overruled_at__isnull=False)


@dataclass(frozen=True)
class SatisfactionCount:
    """Answers to the satisfaction survey about one group's (and period's) resolutions."""

    key: object  # as GROUPS[group][0]: the unit's, district's or category's id (or None)
    period: date | None  # the day, week or month of dispatch, as KpiRow.period; None: the whole
    satisfied: int  # 满意 and 基本满意
    answers: int

    @property
    def rate(self) -> float | None:
        return _share(self.satisfied, self.answers)


def satisfaction_counts(
    chosen: QuerySet[Assignment], group: str, period: str | None = None
) -> list[SatisfactionCount]:
    """The survey answers about resolutions by the `chosen` assignments, per group (and
    period of dispatch). The answers live in the hotline, which imports command: the setting
    CITYDESK_SATISFACTION names the function that counts them (empty: none, shown as —)."""
    path = getattr(settings, "CITYDESK_SATISFACTION", "")
    if not path:
        return []
    return import_string(path)(chosen, GROUPS[group][0], period)


def satisfaction_rates(
    start: datetime,
    end: datetime,
    group: str,
    unit_ids: Sequence[int] | None,
    where: Q | None = None,
) -> dict[object, float]:
    """Satisfied answers / answers, per group key, for the period's assignments (a key with
    no answer is absent)."""
    counts = satisfaction_counts(assignments(start, end, unit_ids, where), group)
    return {c.key: c.rate for c in counts if c.rate is not None}


def satisfaction_overall(
    start: datetime, end: datetime, unit_ids: Sequence[int] | None, where: Q | None = None
) -> SatisfactionCount:
    """All the period's answers as one figure (the dashboards' panel): the units' summed, each
    answer being about one assignment of one unit."""
    counts = satisfaction_counts(assignments(start, end, unit_ids, where), "unit")
    return SatisfactionCount(
        key=None,
        period=None,
        satisfied=sum(c.satisfied for c in counts),
        answers=sum(c.answers for c in counts),
    )


@dataclass(frozen=True)
class KpiRow:
    key: int | None  # the unit's, district's or category's id (None: no district)
    name: str
    period: date | None  # the day, week (its Monday) or month the row counts; None: the whole
    dispatched: int
    signed: int
    sign_due: int
    signed_on_time: int
    resolved: int
    resolve_due: int
    resolved_on_time: int
    returned: int
    extended: int
    open: int
    overdue: int
    avg_handling: timedelta | None
    satisfaction: float | None

    @property
    def sign_rate(self) -> float | None:
        return _share(self.signed_on_time, self.sign_due)

    @property
    def resolve_rate(self) -> float | None:
        return _share(self.resolved_on_time, self.resolve_due)

    @property
    def return_rate(self) -> float | None:
        return _share(self.returned, self.dispatched)

    @property
    def extension_rate(self) -> float | None:
        return _share(self.extended, self.dispatched)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def assignments(
    start: datetime,
    end: datetime,
    unit_ids: Sequence[int] | None = None,
    where: Q | None = None,
) -> QuerySet[Assignment]:
    """The assignments a period's figures count: dispatched in [start, end), of `unit_ids` if
    given (a unit's staff see their unit and its sub-units), and matching `where` if given (the
    dashboards' filters)."""
    chosen = Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
    if unit_ids is not None:
        chosen = chosen.filter(unit_id__in=list(unit_ids))
    if where is not None:
        chosen = chosen.filter(where)
    return chosen


def aggregates(now: datetime) -> dict:
    """The conditional aggregates of one group, as the database computes them."""
    with_unit = Q(status__in=WITH_UNIT, ended_at__isnull=True)
    resolved = Q(resolved_at__isnull=False)
    signed = Q(accepted_at__isnull=False)
    # Until the unit let go of it (returned, withdrawn, closed), or now if it still holds it.
    held_until = Coalesce(F("ended_at"), Value(now, output_field=DateTimeField()))
    return {
        "dispatched": Count("*"),
        "signed": Count("id", filter=signed),
        "sign_due": Count("id", filter=signed | Q(sign_due_at__lt=held_until)),
        "signed_on_time": Count("id", filter=signed & Q(accepted_at__lte=F("sign_due_at"))),
        "resolved": Count("id", filter=resolved),
        "resolve_due": Count("id", filter=resolved | Q(deadline__lt=held_until)),
        "resolved_on_time": Count("id", filter=resolved & Q(resolved_at__lte=F("deadline"))),
        "returned": Count("id", filter=returns_counted()),
        "extended": Count("id", filter=~Q(extension_status="")),
        "open": Count("id", filter=with_unit),
        "overdue": Count("id", filter=with_unit & Q(deadline__lt=now)),
        "avg_handling": Avg(
            ExpressionWrapper(F("resolved_at") - F("dispatched_at"), output_field=DurationField()),
            filter=resolved,
        ),
    }


def figures(
    start: datetime,
    end: datetime,
    group: str = "unit",
    unit_ids: Sequence[int] | None = None,
    period: str | None = None,
    now: datetime | None = None,
    where: Q | None = None,
) -> list[KpiRow]:
    """The figures per `group` ("unit", "district", "category"), and per `period` ("day",
    "week", "month", in city time) when given, for assignments dispatched in [start, end) (and
    matching `where`, a condition on the assignment, when given)."""
    return list(iter_figures(start, end, group, unit_ids, period, now, where))


def iter_figures(
    start: datetime,
    end: datetime,
    group: str = "unit",
    unit_ids: Sequence[int] | None = None,
    period: str | None = None,
    now: datetime | None = None,
    where: Q | None = None,
) -> Iterator[KpiRow]:
    """As `figures`, one row at a time (the exports write each as it comes)."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    if period is not None and period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    now = now or timezone.now()
    key, model, label = GROUPS[group]
    chosen = assignments(start, end, unit_ids, where)
    satisfaction = {(c.period, c.key): c.rate for c in satisfaction_counts(chosen, group, period)}
    rows = chosen
    fields = [key]
    if period:
        tz = timezone.get_default_timezone()
        rows = rows.annotate(bucket=PERIODS[period]("dispatched_at", tzinfo=tz))
        fields.insert(0, "bucket")
    rows = rows.values(*fields).annotate(**aggregates(now)).order_by(*fields)
    names = dict(model.objects.values_list("id", label))
    # Fetched whole (a group a row: a few thousand at most). Not through a server-side cursor
    # (`iterator()`): PostgreSQL plans a cursor's query without parallel workers, which made a
    # year's figures take 2.2 s instead of 0.8.
    for row in rows:
        day = period_day(row.get("bucket"))
        yield KpiRow(
            key=row[key],
            name=names.get(row[key]) or "—",
            period=day,
            dispatched=row["dispatched"],
            signed=row["signed"],
            sign_due=row["sign_due"],
            signed_on_time=row["signed_on_time"],
            resolved=row["resolved"],
            resolve_due=row["resolve_due"],
            resolved_on_time=row["resolved_on_time"],
            returned=row["returned"],
            extended=row["extended"],
            open=row["open"],
            overdue=row["overdue"],
            avg_handling=row["avg_handling"],
            satisfaction=satisfaction.get((day, row[key])),
        )


def period_day(bucket: datetime | date | None) -> date | None:
    """A period's first day from what a Trunc gave (a datetime in city time, or a date)."""
    return bucket.date() if isinstance(bucket, datetime) else bucket


def city_day(day: date) -> datetime:
    """The start of `day` in the city's time zone (periods are city days)."""
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time()), timezone.get_default_timezone()
    )
