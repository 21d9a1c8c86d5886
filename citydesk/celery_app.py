"""The Celery app. In the embedded mode tasks run eagerly in-process (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")

app = Celery("citydesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["integrations.feeds"])  # its tasks module, apart from the SMS tasks
