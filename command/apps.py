from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """The unified incident core: intake, merge, routing, lifecycle, deadlines, outbox."""

    name = "command"
    verbose_name = _("指挥中心")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from command import checks  # noqa: F401  (registers the mode check)
        from command.reference_data import connect_signals
        from command.staff_permissions import sync_admin_group

        connect_signals()
        from command import api_keys, request_log
        from command.supervision import schedule

        api_keys.connect_signals()
        # The API request log's retention, as the scanner (services: beat).
        if request_log.prune_wanted():
            request_log.start_pruning()

        # The embedded mode's scanner thread, in a server process only (services: beat).
        if schedule.wanted():
            schedule.start()
        # After Django has made this app's permissions (auth's own handler runs first).
        post_migrate.connect(sync_admin_group, sender=self)
