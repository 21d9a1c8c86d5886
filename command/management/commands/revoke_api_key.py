"""`manage.py revoke_api_key PREFIX`: revoke the key with this prefix (list_api_keys shows it),
for good. It stops working at once here, within a few seconds in every server process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from command import api_keys
from command.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (or the whole key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key's prefix as list_api_keys shows it, or the key")

    def handle(self, *args, prefix: str, **options) -> None:
        keys = list(_matching(prefix))
        if not keys:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        if len(keys) > 1:
            names = ", ".join(f"{k.name!r} (id {k.pk})" for k in keys)
            raise CommandError(f"Several keys have prefix {prefix!r}: {names}; give the whole key.")
        key = keys[0]
        if not api_keys.revoke(key):
            self.stdout.write(f"{key.name!r} ({key.prefix}…) was revoked already.")
            return
        self.stdout.write(
            f"Revoked {key.name!r} ({key.prefix}…) of {key.user.username}: refused at once here, "
            f"within {api_keys.KNOWN_KEY_TTL_S:.0f} s in every server process."
        )


def _matching(text: str):
    keys = ApiKey.objects.select_related("user")
    if len(text) > api_keys.PREFIX_LEN:  # the whole key: exactly one row, by its hash
        return keys.filter(key_hash=api_keys.hash_key(text))
    return keys.filter(prefix=text)
