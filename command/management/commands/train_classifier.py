"""manage.py train_classifier: rebuild the classifier's text model from the project's own texts."""

from django.core.management.base import BaseCommand

from command.intake import training


class Command(BaseCommand):
    help = "Write command/intake/data/training_texts.jsonl and text_model.json (deterministic)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(training.main())
