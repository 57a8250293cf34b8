"""Browser tier: the embedded suite serving the guides, and Debian's headless chromium (fails when missing)."""
from __future__ import annotations

import pytest

from chromium_kit import Chromium
from yici_testkit import BIN, Process, base_env, free_port


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """All five services on one port; QR codes link to that same address."""
    tmp = tmp_path_factory.mktemp("guides-suite")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port), YICI_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    process = Process([str(BIN / "yici"), "run"], env, tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory) -> Chromium:
    return Chromium(tmp_path_factory.mktemp("chromium"))
