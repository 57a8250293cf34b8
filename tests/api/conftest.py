"""One embedded suite (all five services, in-memory broker, SQLite) per module of API tests."""
from __future__ import annotations

import pytest

from yici_testkit import embedded_suite


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("embedded")) as process:
        yield process
