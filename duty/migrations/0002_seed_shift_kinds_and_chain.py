"""The usual pattern of the 24-hour duty system: a day shift and a night shift of 12 hours, and
the first level of the escalation chain, the leader on duty (the user of the shift)."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    ShiftKind = apps.get_model("duty", "ShiftKind")
    EscalationLevel = apps.get_model("duty", "EscalationLevel")
    ShiftKind.objects.get_or_create(
        code="day", defaults={"name": "白班", "start": datetime.time(8, 0), "hours": 12}
    )
    ShiftKind.objects.get_or_create(
        code="night", defaults={"name": "夜班", "start": datetime.time(20, 0), "hours": 12}
    )
    EscalationLevel.objects.get_or_create(
        position=0, defaults={"title": "带班领导", "user": None, "minutes": 10}
    )


class Migration(migrations.Migration):
    dependencies = [("duty", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
