"""`python -m citydesk.demo_server` (the last step of `make demo`): the server, and once it answers
/healthz the feed simulator alongside it at a gentle rate, so a new user sees a living city. The
simulator stops when the server stops; `--simulate 0` leaves it out.

The server gets the demo's Twilio token (var/, made by setup_demo) and its own address as the
public base URL unless the environment sets TWILIO_AUTH_TOKEN and CITYDESK_PUBLIC_BASE_URL, so
simulated texts pass the SMS webhook's signature check as Twilio's would.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTHY_WITHIN_S = 120.0
STOP_WITHIN_S = 15.0
PROGRESS_EVERY_S = 30  # the server's log shares the terminal: a line now and then, not a \r line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--simulate", type=float, default=0.2, help="reports a second from the simulator; 0: none"
    )
    args = parser.parse_args(argv)
    base = f"http://{args.host}:{args.port}"
    env = demo_environment(base)
    serve = ["-m", "citydesk.server", "-b", args.host, "-p", str(args.port), "asgi:application"]
    server = subprocess.Popen([sys.executable, *serve], cwd=ROOT, env=env)
    children: list[subprocess.Popen] = []

    def stop_all(*_) -> None:
        # The simulator first, ended, so that nothing it sends meets a server going away.
        for child in children:
            stop(child)
        if server.poll() is None:
            server.terminate()

    signal.signal(signal.SIGTERM, stop_all)
    try:
        if args.simulate > 0 and wait_until_healthy(base, server):
            command = [sys.executable, *simulate_args(base, args.simulate)]
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))
        return wait(server)
    except KeyboardInterrupt:  # Ctrl-C reached the server and the simulator too: let them end
        return wait(server)
    finally:
        for child in children:
            stop(child)


def simulate_args(base: str, rate: float) -> list[str]:
    """`manage.py simulate` as the demo runs it: for ever, a progress line now and then."""
    return [
        *("manage.py", "simulate", "--url", base, "--duration", "0", "--rate", f"{rate:g}"),
        *("--every", str(PROGRESS_EVERY_S), "--lines"),
    ]


def demo_environment(base: str) -> dict[str, str]:
    """This environment, with the demo's Twilio token and public base URL where it sets none."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")
    if not env.get("TWILIO_AUTH_TOKEN"):
        env["TWILIO_AUTH_TOKEN"] = _demo_twilio_token(env)
    if not env.get("CITYDESK_PUBLIC_BASE_URL"):
        env["CITYDESK_PUBLIC_BASE_URL"] = base
    return env


def _demo_twilio_token(env: dict[str, str]) -> str:
    # Asked of Django in a child, as `manage.py` would: the var/ folder is settings' to say.
    code = (
        "import django; django.setup(); from integrations import demo; print(demo.twilio_token())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def wait_until_healthy(base: str, server: subprocess.Popen) -> bool:
    """Whether the server answered /healthz before it exited or the bound passed."""
    deadline = time.monotonic() + HEALTHY_WITHIN_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.25)  # not listening yet; bounded by the deadline
    return False


def wait(process: subprocess.Popen) -> int:
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # a second Ctrl-C while it stops: keep waiting
            continue


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (the simulator prints its summary), then, if it lingers, SIGKILL."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
