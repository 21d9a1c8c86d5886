from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12345热线")

    def ready(self) -> None:
        from command.outbox import relay
        from hotline import satisfaction

        # A resolution published in this process is surveyed at once (the beat task catches
        # up with those published elsewhere or missed).
        relay.on_published(satisfaction.on_published)
