"""The PostgreSQL driver set-up cooperates with eventlet: five 1-second queries overlap instead of queueing."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.postgres

SCRIPT = textwrap.dedent("""
    import sys, time
    if sys.argv[1] == "green":
        import shared.providers.boot  # the process entry points' set-up: eventlet + psycogreen
    import eventlet
    from sqlalchemy import text
    from shared.db import make_engine
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", pool_size=5)
    def slow(_):
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(1)"))
    started = time.monotonic()
    pool = eventlet.GreenPool(5)
    list(pool.imap(slow, range(5)))
    print(round(time.monotonic() - started, 2))
""")


def _elapsed(mode: str) -> float:
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return float(result.stdout.strip().splitlines()[-1])


def test_five_concurrent_slow_queries_overlap_with_the_green_driver(postgres_available):
    assert _elapsed("green") < 2.5


def test_without_the_set_up_they_would_queue(postgres_available):
    assert _elapsed("plain") >= 4.5
