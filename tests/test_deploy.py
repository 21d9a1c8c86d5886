"""The deployment that docker-compose.yml, the Dockerfile and deploy/nginx describe, checked
without Docker: one published port (the proxy's), health checks and restart policies, reference
data but never the demo, a server that is not root, the dev tools out of the image, and bodies
capped at the proxy as in Django.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from importlib.metadata import distribution
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NGINX = (ROOT / "deploy" / "nginx" / "citydesk.conf").read_text()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LONG_RUNNING = ["proxy", "web", "worker", "beat", "postgres", "redis"]
DEV_TOOLS = ["pytest", "pytest-django", "pytest-asyncio", "playwright", "ruff", "import-linter"]


def pins(name: str) -> dict[str, str]:
    """Package name -> its pinned line, from a requirements file."""
    lines = (ROOT / name).read_text().splitlines()
    entries = [line for line in lines if line and not line.startswith(("#", "-r"))]
    return {canonicalize_name(Requirement(line).name): line for line in entries}


def location(path: str) -> str:
    """The body of nginx's `location <path> { ... }` block."""
    found = re.search(r"location\s+" + re.escape(path) + r"\s*\{(.*?)\n    \}", NGINX, re.S)
    assert found, f"no location {path} in deploy/nginx/citydesk.conf"
    return found.group(1)


def test_only_the_proxy_publishes_a_port():
    assert {name for name, service in SERVICES.items() if service.get("ports")} == {"proxy"}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_long_running_service_has_a_health_check_and_a_restart_policy(name):
    service = SERVICES[name]

    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"]
    assert not service["healthcheck"].get("disable")


def test_production_seeds_reference_data_and_never_the_demo():
    migrate = " ".join(SERVICES["migrate"]["command"])

    assert "migrate" in migrate
    assert "setup_reference" in migrate
    assert "setup_demo" not in (ROOT / "docker-compose.yml").read_text() + DOCKERFILE
    for service in SERVICES.values():
        assert not any(key.startswith("CITYDESK_DEMO") for key in service.get("environment", {}))


def test_every_app_service_runs_under_the_production_settings():
    for name in ("migrate", "web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "citydesk.settings_production", name


def test_several_web_processes_stand_behind_the_proxy_which_finds_new_ones():
    assert SERVICES["web"]["deploy"]["replicas"] >= 2
    assert SERVICES["beat"]["deploy"]["replicas"] == 1  # a second beat sends every task twice
    assert re.search(r"server\s+web:8000\s+resolve;", NGINX)
    assert re.search(r"resolver\s+127\.0\.0\.11\b", NGINX)  # Docker's DNS


def test_the_proxy_passes_websockets_through_with_long_timeouts():
    sockets = location("/ws/")

    assert "proxy_set_header Upgrade $http_upgrade;" in sockets
    assert "proxy_set_header Connection $connection_upgrade;" in sockets
    assert re.search(r"proxy_read_timeout\s+1h;", sockets)
    assert "proxy_http_version 1.1;" in sockets


@pytest.mark.parametrize("path", ["/ws/", "/"])
def test_the_proxy_tells_django_the_scheme_and_host(path):
    block = location(path)

    assert "proxy_set_header X-Forwarded-Proto $scheme;" in block
    assert "proxy_set_header Host $http_host;" in block


def test_the_proxy_caps_request_bodies_as_django_does(settings):
    cap = re.search(r"client_max_body_size\s+(\d+)m;", NGINX)

    assert cap, "no client_max_body_size in deploy/nginx/citydesk.conf"
    assert int(cap.group(1)) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_image_serves_as_a_user_that_is_not_root():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.M)

    assert users, "the Dockerfile never leaves root"
    assert users[-1] not in ("root", "0")
    assert DOCKERFILE.index("USER") < DOCKERFILE.index("CMD")


def test_the_image_checks_its_health():
    assert re.search(r"^HEALTHCHECK .*\n?.*citydesk\.server\.healthcheck", DOCKERFILE, re.M)


def test_the_image_collects_static_files_under_the_settings_it_serves_with():
    runtime = DOCKERFILE.split("\nFROM ")[-1]  # the last stage: what runs
    settings_at = runtime.index("DJANGO_SETTINGS_MODULE=citydesk.settings_production")

    assert settings_at < runtime.index("collectstatic")


def test_the_image_installs_the_runtime_set_without_dev_tools():
    installs = re.findall(r"pip install[^\n]*", DOCKERFILE)

    assert installs
    assert all("requirements.txt" in line and "dev" not in line for line in installs)
    assert not set(DEV_TOOLS) & set(pins("requirements.txt"))


def test_the_runtime_set_pins_everything_the_runtime_needs():
    direct = PROJECT["dependencies"]
    pinned = pins("requirements.txt")
    needed, todo = set(), [Requirement(line) for line in direct]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in needed or (requirement.marker and not requirement.marker.evaluate()):
            continue
        needed.add(name)
        todo += [Requirement(r) for r in distribution(name).requires or []]
    # setuptools comes with Python's venv and image; dash names it without a version.
    assert needed - set(pinned) - {"setuptools"} == set()


def test_the_dev_set_is_the_runtime_set_plus_the_tools():
    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()

    assert "-r requirements.txt" in lines
    dev_pins = pins("requirements-dev.txt")
    for line in PROJECT["optional-dependencies"]["dev"]:
        requirement = Requirement(line)
        assert dev_pins[canonicalize_name(requirement.name)].endswith(str(requirement.specifier))


def beat_is_healthy(schedule_dir: Path) -> bool:
    test = SERVICES["beat"]["healthcheck"]["test"]
    code = test[test.index("-c") + 1].replace("/var/lib/citydesk", str(schedule_dir))
    return subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_beat_health_check_wants_a_recent_schedule_file(tmp_path):
    assert not beat_is_healthy(tmp_path)

    (tmp_path / "celerybeat-schedule.dat").write_bytes(b"")
    assert beat_is_healthy(tmp_path)

    an_hour_ago = time.time() - 3600
    os.utime(tmp_path / "celerybeat-schedule.dat", (an_hour_ago, an_hour_ago))
    assert not beat_is_healthy(tmp_path)
