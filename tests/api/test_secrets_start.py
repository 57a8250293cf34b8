"""`yici serve` refuses development tokens before it starts; the embedded default starts with them, warning once."""
from __future__ import annotations

import os
import subprocess

from yici_testkit import BIN, ROOT, TOKEN, Process, free_port


def test_serve_refuses_development_tokens_naming_the_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICI_")}
    env.update(YICI_API_TOKEN=TOKEN, YICI_DATA_DIR=str(tmp_path))  # clerk and supervisor keep dev-*-change-me
    refused = subprocess.run([str(BIN / "yici"), "serve", "intake"], env=env, cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2, refused.stderr
    assert "YICI_CLERK_TOKEN" in refused.stderr and "YICI_SUPERVISOR_TOKEN" in refused.stderr
    assert "YICI_API_TOKEN" not in refused.stderr and "secrets.token_urlsafe(32)" in refused.stderr
    assert "listening" not in refused.stdout


def test_the_embedded_default_starts_with_its_development_tokens_and_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICI_")}
    port = free_port()
    env.update(YICI_PORT=str(port), YICI_DATA_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    process = Process([str(BIN / "yici"), "run"], env, tmp_path / "yici.log", port).start()
    try:
        process.wait_ready()
        log = process.log.read_text(errors="replace")
        assert sum("for development only" in line for line in log.splitlines()) == 1
    finally:
        process.stop()
