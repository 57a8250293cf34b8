"""Fixtures shared by every tier. Tests that need RabbitMQ or PostgreSQL fail, never skip, without them."""
from __future__ import annotations

import pytest

from yici_testkit import TOKEN, broker_vhost, free_port, postgres_database, require_postgres, require_rabbit


@pytest.fixture(scope="session")
def rabbit_available() -> None:
    require_rabbit()


@pytest.fixture(scope="session")
def postgres_available() -> None:
    require_postgres()


@pytest.fixture
def vhost(rabbit_available):
    with broker_vhost() as name:
        yield name


@pytest.fixture
def pg_url(postgres_available):
    with postgres_database() as url:
        yield url


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def port() -> int:
    return free_port()


def pytest_runtest_teardown(item):
    """The test process stays ungreened: importing an entry point that runs shared.providers.boot (yici.runner,
    a service's process entry) monkey-patches threads and sockets for every later test, and a plain thread then
    deadlocks a test that comes far after (seen: a fake HTTP server in tests/unit/test_library.py)."""
    import sys

    patcher = sys.modules.get("eventlet.patcher")
    if patcher is not None and patcher.is_monkey_patched("thread"):
        pytest.fail(f"{item.nodeid} greened the test process (it imported shared.providers.boot); "
                    "import what it needs from a module that does not, e.g. yici.startup", pytrace=False)


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test` runs `-n 3 --dist loadgroup`) the fault tier runs on one worker, one test
    after another: each starts its own broker nodes, PostgreSQL cluster and five services and drives load at a
    fixed rate, and two of them at once would measure each other rather than the fault."""
    for item in items:
        if "/tests/fault/" in str(item.path):
            item.add_marker(pytest.mark.xdist_group("fault"))
