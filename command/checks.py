"""System check: eager tasks and the in-memory channel layer go together (embedded mode)."""

from django.conf import settings
from django.core.checks import Error, register

IN_MEMORY = "channels.layers.InMemoryChannelLayer"


@register()
def check_mode_is_consistent(app_configs, **kwargs) -> list[Error]:
    in_memory = settings.CHANNEL_LAYERS["default"]["BACKEND"] == IN_MEMORY
    eager = bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))
    if in_memory == eager:
        return []
    return [
        Error(
            "Celery eager mode and the in-memory channel layer must be used together.",
            hint="Events sent from a Celery worker would never reach another process's "
            "in-memory layer. Set REDIS_URL for both, or neither.",
            id="citydesk.E001",
        )
    ]
