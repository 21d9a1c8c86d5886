import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    """Socket delivery: the /ws/events/ consumer, each process's fan-out hub, the JS client."""

    name = "command.realtime"
    label = "realtime"
    verbose_name = _("实时推送")

    def ready(self) -> None:
        from command.outbox import relay
        from command.realtime import fanout, outage, revocation

        # After a commit, the relay runs on this process's hub loop when one is running here.
        relay.add_relayer(fanout.hand_to_hub)
        # Revocations made in this process reach its sockets at once; others' within RECHECK_S.
        revocation.connect_signals(fanout.recheck_soon)
        logging.getLogger("channels_redis.pubsub").addFilter(
            outage.ReceiveTaskFilter(fanout.outage_here)
        )
