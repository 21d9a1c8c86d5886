"""Real daphne processes, for tests where the wire matters."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOUND_S = 30


def python_prints(code: str) -> str:
    """What a fresh interpreter, started in the project, prints running `code`."""
    probe = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return probe.stdout.strip()


def run_python(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """A fresh interpreter in the project (`-c CODE`, `-m MODULE` or `manage.py ...`) with `env`,
    its output captured; fails the test on a non-zero exit when `check`."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check and done.returncode != 0:
        command = " ".join(args)[:80]
        pytest.fail(f"python {command} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def daphne(env: dict[str, str], log: Path) -> Iterator[int]:
    """A daphne serving this project on a free loopback port, its output in `log`; yields the
    port once it answers, and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "citydesk.server", "-b", "127.0.0.1", "-p", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "asgi:application"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        _wait_until_serving(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for_line(log: Path, text: str) -> str:
    """The first line of `log` that contains `text`, waiting for it up to BOUND_S."""
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if text in line:
                return line
        time.sleep(0.1)  # the server has not written it yet; bounded by the deadline
    pytest.fail(f"no line with {text!r} within {BOUND_S} s:\n{log.read_text()[-3000:]}")


def _wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"daphne exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # not listening yet; the loop is bounded by the deadline
    pytest.fail(f"daphne did not answer on {port} within {BOUND_S} s:\n{log.read_text()[-3000:]}")
