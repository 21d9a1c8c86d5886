"""`manage.py issue_api_key --name N --user U [--create-user] [--scopes S] [--rate-limit R]`:
issue an integrator's API key and print it, this once (only its hash is stored)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from command import api_keys
from command.models import KeyScopes


class Command(BaseCommand):
    help = "Issue an API key and print it once. Scopes: intake (default), read, 'intake read'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="what the key is for, e.g. 12345-web")
        parser.add_argument("--user", required=True, help="the holder's user name")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="make the holder: a new integrator account without a password",
        )
        parser.add_argument("--scopes", default=KeyScopes.INTAKE.value, help="intake|read|both")
        parser.add_argument(
            "--rate-limit", default=None, help="requests a minute, e.g. 600/min (default: setting)"
        )

    def handle(self, *args, name: str, user: str, create_user: bool, **options) -> None:
        try:
            scopes = api_keys.normal_scopes(options["scopes"])
            rate = options["rate_limit"]
            rate_limit = api_keys.parse_rate(rate) if rate is not None else None
            with transaction.atomic():
                holder = api_keys.new_integrator(user) if create_user else _existing(user)
                key, raw = api_keys.issue_key(name, holder, scopes=scopes, rate_limit=rate_limit)
        except api_keys.InvalidKeyRequest as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Issued {key.name!r} ({key.prefix}…) to {holder.username}: scopes {key.scopes}, "
            f"{api_keys.rate_limit_of(key)} requests a minute. The key, shown this once:"
        )
        self.stdout.write(raw)


def _existing(username: str):
    holder = get_user_model().objects.filter(username=username, is_active=True).first()
    if holder is None:
        raise api_keys.InvalidKeyRequest(
            f"No active user {username!r}; pass --create-user to make an integrator account."
        )
    return holder
