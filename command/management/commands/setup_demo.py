"""manage.py setup_demo: the demo city (idempotent)."""

from django.core.management.base import BaseCommand

from command import demo


class Command(BaseCommand):
    help = "Load Harbin's districts, the taxonomy, demo units, users and an intake API key."

    def handle(self, *args, **options) -> None:
        demo.setup(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo city ready"))
