"""`manage.py list_api_keys`: every API key with its holder, scopes, limit, state and use."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from command import api_keys
from command.models import ApiKey

COLUMNS = ("prefix", "name", "holder", "scopes", "limit/min", "state", "created", "last used")


class Command(BaseCommand):
    help = "List API keys (never the keys themselves: only their prefixes)."

    def handle(self, *args, **options) -> None:
        rows = [COLUMNS]
        for key in ApiKey.objects.select_related("user").order_by("created_at"):
            rows.append(
                (
                    key.prefix,
                    key.name,
                    key.user.username,
                    key.scopes,
                    str(api_keys.rate_limit_of(key)),
                    api_keys.state(key),
                    _when(key.created_at),
                    _when(key.last_used_at),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "-"
