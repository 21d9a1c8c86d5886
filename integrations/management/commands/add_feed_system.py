"""manage.py add_feed_system: register a 110 or 12319 system and print its shared secret, this
once (it is never shown again; the admin shows its first characters)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.feeds import signing
from integrations.models import FeedSystem, FeedSystemKind


class Command(BaseCommand):
    help = "Register a feed system (110 or 12319) and print its shared secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=FeedSystemKind.values)
        parser.add_argument("--code", required=True, help="its X-CityDesk-System, e.g. hrb-110")
        parser.add_argument("--name", required=True)
        parser.add_argument("--callback-url", default="", help="where status-backs go")
        parser.add_argument("--transfer-url", default="", help="where transfers go (110)")
        parser.add_argument("--pull-url", default="", help="its list API, for pull mode")
        parser.add_argument("--pull-interval", type=int, default=60, help="seconds between polls")

    def handle(self, *args, **options) -> None:
        if FeedSystem.objects.filter(code=options["code"]).exists():
            raise CommandError(f"A feed system {options['code']} exists already.")
        system = FeedSystem(
            code=options["code"],
            name=options["name"],
            kind=options["kind"],
            source_code=options["kind"],  # intake's sources "110" and "12319"
            secret=signing.new_secret(),
            callback_url=options["callback_url"],
            transfer_url=options["transfer_url"],
            pull_url=options["pull_url"],
            pull_interval_s=max(options["pull_interval"], 1),
        )
        try:
            system.full_clean()
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from None
        system.save()
        self.stdout.write(f"Registered {system.code} ({system.get_kind_display()}).")
        self.stdout.write("Shared secret, shown this once; give it to the system's operators:")
        self.stdout.write(system.secret)
