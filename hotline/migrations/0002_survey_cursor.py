"""The survey's cursor starts at the outbox's head: a deployment that already has resolutions
does not text every citizen who reported one in the past."""

from django.db import migrations
from django.db.models import Max


def start_at_head(apps, schema_editor):
    OutboxEvent = apps.get_model("command", "OutboxEvent")
    SurveyCursor = apps.get_model("hotline", "SurveyCursor")
    head = OutboxEvent.objects.aggregate(head=Max("seq"))["head"] or 0
    if not SurveyCursor.objects.exists():
        SurveyCursor.objects.create(last_seq=head)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(start_at_head, migrations.RunPython.noop)]
