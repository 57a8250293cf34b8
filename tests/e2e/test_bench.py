"""`make bench` runs from a clean clone: a short run prints every figure the issue asks for, and the bare Nameko
reference it is compared with completes too (figures are printed, never asserted against a target)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from yici_testkit import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.rabbit, pytest.mark.postgres, pytest.mark.slow]
CASES = 20


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the bench's output:\n{text}"
    return float(match.group(1))


@pytest.mark.timeout(300)
def test_bench_prints_throughput_latency_memory_and_both_baselines(rabbit_available, postgres_available):
    result = subprocess.run([sys.executable, "bench/pipeline.py", "--cases", str(CASES), "--workers", "4"],
                            cwd=ROOT, capture_output=True, text=True, timeout=280)
    out = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"completed              {CASES}/{CASES}" in out
    assert _number(r"throughput\s+([\d.]+) cases/s", out) > 0
    p50, p95, p99 = (float(v) for v in re.search(r"latency p50/p95/p99\s+(\d+) / (\d+) / (\d+) ms", out).groups())
    assert 0 < p50 <= p95 <= p99
    rss = dict(re.findall(r"(\w+) ([\d.]+) MB", out.split("peak RSS per service", 1)[1].splitlines()[0]))
    assert set(rss) == {"intake", "routing", "approval", "delivery", "oversight"}
    assert _number(r"raw-pika baseline\s+([\d.]+) cases/s", out) > 0
    assert _number(r"bare Nameko pipeline\s+([\d.]+) cases/s", out) > 0
    assert _number(r"bare Nameko pipeline.*p50/p95/p99 (\d+) /", out) > 0
    assert _number(r"ratio yici/bare Nameko ([\d.]+)", out) > 0
    assert _number(r"all together ([\d.]+) ms", out) > 0
    leftovers = subprocess.run(["pgrep", "-f", "bare_nameko:"], capture_output=True, text=True).stdout.split()
    assert not leftovers, "the bare Nameko processes outlived the bench"
