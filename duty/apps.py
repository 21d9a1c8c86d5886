from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = _("值班室")

    def ready(self) -> None:
        from command.staff_permissions import sync_admin_group
        from duty import schedule

        # The administrators group also covers duty's models, whose permissions exist only
        # once this app has migrated (command's own sync runs before them).
        post_migrate.connect(sync_admin_group, sender=self)
        # The embedded mode's periodic pass, in server processes only (services: Celery beat).
        if schedule.wanted():
            schedule.start()
