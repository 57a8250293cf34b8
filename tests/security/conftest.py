"""One embedded suite (all five services, in-memory broker, SQLite) per module of security tests; its log file
is kept so a test can read what the suite wrote about the requests it sent."""
from __future__ import annotations

import pytest

from yici_testkit import embedded_suite


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("embedded")) as process:
        yield process
