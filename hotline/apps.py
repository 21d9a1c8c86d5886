from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12345热线")

    def ready(self) -> None:
        from command.outbox import relay
        from command.staff_permissions import sync_admin_group
        from hotline import satisfaction

        # A resolution published in this process is surveyed at once (the beat task catches
        # up with those published elsewhere or missed).
        relay.on_published(satisfaction.on_published)
        # The administrators group again once this app's permissions exist (the block list):
        # command's own post_migrate runs before they are made.
        post_migrate.connect(sync_admin_group, sender=self, dispatch_uid="hotline-admin-group")
