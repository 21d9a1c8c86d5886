"""citydesk.server.tuning: daphne on uvloop, autobahn's log arguments as they are, rare full GCs."""

import pytest

from citydesk.server.tuning import YOUNG_COLLECTION_EVERY
from tests.servers import python_prints

# Each test guards Twisted's, autobahn's or daphne's internals that citydesk.server uses.
pytestmark = pytest.mark.internals


def test_daphne_imported_after_install_loop_runs_on_uvloop():
    printed = python_prints(
        "from citydesk.server.tuning import install_loop; install_loop(); "
        "import daphne.server; print(type(daphne.server.twisted_loop).__module__)"
    )
    assert printed == "uvloop"


def test_autobahn_logs_its_arguments_as_they_are():
    from autobahn.twisted import websocket as twisted_websocket
    from autobahn.websocket import protocol

    from citydesk.server.tuning import plain_log_arguments

    before = (protocol.hltype, protocol.hlval, twisted_websocket.hltype, twisted_websocket.hlval)
    try:
        plain_log_arguments()

        # If autobahn stops importing these names, the patch would do nothing: fail instead.
        for module in (protocol, twisted_websocket):
            assert module.hltype(test_autobahn_logs_its_arguments_as_they_are) is (
                test_autobahn_logs_its_arguments_as_they_are
            )
            assert module.hlval(1234, color="white") == 1234
            assert "hltype(" in _source(module)
    finally:
        protocol.hltype, protocol.hlval, twisted_websocket.hltype, twisted_websocket.hlval = before


def _source(module) -> str:
    import inspect

    return inspect.getsource(module)


def test_a_daphne_collects_garbage_seldom_and_freezes_what_it_started_with():
    printed = python_prints(
        "import gc; from citydesk.server.tuning import install_loop, collect_garbage_seldom; "
        "install_loop(); collect_garbage_seldom(); "
        "from twisted.internet import reactor; "
        "reactor.callWhenRunning(lambda: (print(gc.get_freeze_count() > 1000), reactor.stop())); "
        "print(gc.get_threshold()[0], gc.get_freeze_count()); reactor.run()"
    )
    threshold, frozen_before, frozen_when_running = printed.split()
    assert int(threshold) == YOUNG_COLLECTION_EVERY
    assert frozen_before == "0"  # nothing frozen until daphne runs
    assert frozen_when_running == "True"
