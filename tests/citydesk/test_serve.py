"""citydesk.serve: daphne on uvloop's event loop."""

import subprocess
import sys

from tests.servers import ROOT


def test_daphne_imported_after_install_loop_runs_on_uvloop():
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from citydesk.serve import install_loop; install_loop(); "
            "import daphne.server; print(type(daphne.server.twisted_loop).__module__)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "uvloop"
