from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = _("值班室")

    def ready(self) -> None:
        from duty import schedule

        # The embedded mode's periodic pass, in server processes only (services: Celery beat).
        if schedule.wanted():
            schedule.start()
