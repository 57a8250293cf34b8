"""One embedded suite (all five services, in-memory broker, SQLite) per module of security tests; its log file
is kept so a test can read what the suite wrote about the requests it sent."""
from __future__ import annotations

import pytest

from yici_testkit import BIN, Process, base_env, free_port


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port))
    process = Process([str(BIN / "yici"), "run"], env, tmp / "yici.log", port).start()
    process.wait_ready()
    process.data_dir = tmp / "var"
    yield process
    process.stop()
