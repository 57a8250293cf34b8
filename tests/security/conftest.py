"""One embedded suite (all five services, in-memory broker, SQLite) per module of security tests; its log file
is kept so a test can read what the suite wrote about the requests it sent."""
from __future__ import annotations

import pytest

from yici_testkit import embedded_suite


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("embedded")) as process:
        yield process


@pytest.fixture(scope="module")
def departments_suite(tmp_path_factory):
    """The embedded suite with a token per department (department clients bound to their department) and the
    tax department deciding by worklist, with one company-opening case whose business license is issued."""
    from integration.approval_kit import write_config

    from yici_testkit import BIN, Process, base_env, free_port
    tmp = tmp_path_factory.mktemp("departments")
    config = write_config(tmp, base="embedded", approval={"departments": {"tax": "worklist"}})
    port = free_port()
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], base_env(tmp, YICI_PORT=str(port)),
                      tmp / "yici.log", port).start()
    try:
        process.wait_ready()
        process.data_dir = tmp / "var"
        yield process
    finally:
        process.stop()
