from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    """The unified incident core: intake, merge, routing, lifecycle, deadlines, outbox."""

    name = "command"
    verbose_name = _("指挥中心")

    def ready(self) -> None:
        from command import checks  # noqa: F401  (registers the mode check)
        from command.reference_data import connect_signals

        connect_signals()
