"""manage.py demo_banner: where to go and how to log in, printed by `make demo`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from command import demo


class Command(BaseCommand):
    help = "Print the demo's address, logins and intake API key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="the host the server listens on")
        parser.add_argument("--port", type=int, default=8000, help="the port it listens on")

    def handle(self, *args, host: str, port: int, **options) -> None:
        site = f"http://{host}:{port}"
        key_file = Path(settings.VAR_DIR) / demo.KEY_FILE
        key = key_file.read_text().strip() if key_file.exists() else "(run setup_demo)"
        password = settings.CITYDESK["DEMO_PASSWORD"]
        logins = ", ".join(f"{u.username} ({u.role.label})" for u in demo.USERS)
        self.stdout.write(
            f"""
CityDesk demo — {site}/
  Sign in:    {site}/accounts/login/   (each role lands on its own home page)
  API docs:   {site}/api/docs/
  Admin:      {site}/admin/   (duty / leader are staff)
  Logins:     {logins}; password: {password}
  Intake key: {key}
  Live feed:  the simulator sends reports from every source once the server answers
              (`make demo SIMULATE=0`: none; README, Feed simulator)
  Try:        curl -X POST {site}/api/v1/reports \\
                -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\
                -d '{{"source":"web","external_id":"try-1","text":"中央大街自来水管爆裂，水流满街",
                     "location":{{"lat":45.7740,"lon":126.6177}}}}'
"""
        )
