"""`python -m citydesk.demo_server` (make demo's last step): the server, the feed simulator
alongside it once it answers, signed so that the server takes its texts, stopped with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.servers import ROOT, free_port, run_python, wait_for_line


def demo_env(var_dir: Path) -> dict[str, str]:
    # As on a fresh machine: no services, no Twilio settings, the demo's own var/.
    skip = ("DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "CITYDESK_PUBLIC_BASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in skip and not k.startswith("CITYDESK_")}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        DJANGO_DEBUG="1",
        CITYDESK_VAR_DIR=str(var_dir),
        CITYDESK_SQLITE=str(var_dir / "citydesk.sqlite3"),
        PYTHONUNBUFFERED="1",
    )
    return env


def test_the_demo_server_runs_the_simulator_whose_texts_it_takes_and_stops_it(tmp_path):
    env = demo_env(tmp_path)
    run_python("manage.py", "migrate", "--noinput", "-v0", env=env)
    run_python("manage.py", "setup_demo", env=env)
    log = tmp_path / "demo.log"
    port = str(free_port())
    command = [sys.executable, "-m", "citydesk.demo_server", "--port", port, "--simulate", "20"]

    with log.open("w") as out:
        launcher = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_for_line(log, f"simulate: 20/s to http://127.0.0.1:{port} for ever")
        # Signed with the demo's token over the demo's own address: the webhook takes them.
        wait_for_line(log, '"POST /integrations/twilio/sms/" 200')
        wait_for_line(log, '"POST /api/v1/reports" 201')
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)

    text = log.read_text()
    assert "simulate: " in text.split('"POST /integrations/twilio/sms/" 200', 1)[1]
    summary = wait_for_line(log, " s: sent ")  # the simulator's summary: it was stopped cleanly
    assert "sms: " not in summary, summary  # no SMS refused
    assert " 403" not in summary, summary
