from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("系统对接")

    def ready(self) -> None:
        from command import request_log
        from command.outbox import relay
        from command.staff_permissions import sync_admin_group
        from integrations.feeds import push_log, schedule, sender, status_back

        # The feed systems' request log is written and pruned with the API keys' (imported
        # here so a beat process that serves no push prunes it too).
        request_log.register(push_log.TABLE)
        status_back.connect_signals()

        # The administrators group again once this app's permissions exist (feed systems):
        # command's own post_migrate runs before they are made.
        post_migrate.connect(sync_admin_group, sender=self, dispatch_uid="integrations-admin-group")
        # The feeds' pass (pull mode, nonce pruning): in server processes of the embedded mode.
        if schedule.wanted():
            schedule.start()
        # A state change published in this process is told to the feed systems at once (the
        # sweep catches up with those published elsewhere or missed).
        relay.on_published(status_back.on_published)
        if sender.wanted():
            sender.start()
