"""CityDesk Django project: settings, URLs and the Celery app."""

from citydesk.celery_app import app as celery_app

__all__ = ["celery_app"]
