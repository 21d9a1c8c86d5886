"""Pages under the production settings, as the image serves them: after `collectstatic` under
those settings, each page answers 200 and names its static files by their hashed manifest
names, each of which is served. (Manifest storage answers 500 for a file it has no entry for.)
"""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest

from tests.servers import run_python

PATHS = ["/accounts/login/", "/admin/login/", "/api/docs/", "/healthz"]
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")

# Runs in a fresh process under citydesk.settings_production: migrate, collectstatic, then each
# page and each static file it names, through Django's test client over "https" (the proxy's
# X-Forwarded-Proto), printed as JSON.
RENDER = """
import json, re, sys

import django

django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
client = Client()
found = {}
for path in sys.argv[1:]:
    page = client.get(path, secure=True)
    urls = sorted(set(re.findall(r'(?:href|src)="(/static/[^"?#]+)', page.content.decode())))
    found[path] = {
        "status": page.status_code,
        "static": {url: client.get(url, secure=True).status_code for url in urls},
    }
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    var_dir = tmp_path_factory.mktemp("production")
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "CITYDESK_SSL_REDIRECT")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings_production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        CITYDESK_VAR_DIR=str(var_dir),
        CITYDESK_SQLITE=str(var_dir / "citydesk.sqlite3"),
        CITYDESK_STATIC_ROOT=str(var_dir / "static"),
        CITYDESK_PUBLIC_API_DOCS="1",  # opened, to render them: behind sign-in by default
    )
    done = run_python("-c", RENDER, *PATHS, env=env)
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("path", PATHS)
def test_a_page_renders_under_production_settings_with_hashed_static_files(rendered, path):
    page = rendered[path]

    assert page["status"] == 200
    for url, status in page["static"].items():
        assert HASHED.search(url), f"{path} names {url}, not its manifest name"
        assert status == 200, f"{path} names {url}, which answers {status}"


def test_the_admin_login_names_static_files(rendered):
    # Guards the test itself: a page without static files would pass the loop above vacuously.
    assert len(rendered["/admin/login/"]["static"]) >= 2
    assert len(rendered["/api/docs/"]["static"]) >= 2
