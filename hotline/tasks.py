"""Celery tasks of the hotline: thin wrappers around its domain functions."""

from celery import shared_task

from hotline import satisfaction


@shared_task(name="hotline.ask_satisfaction", ignore_result=True)
def ask_satisfaction() -> int:
    """Survey the reporters of incidents resolved since the last run (beat, and after relays)."""
    return satisfaction.ask_new_resolutions()
