"""The county's admin adds next year's State Council holiday notice while the suite runs: deadlines, the
calendar API and the metric use it at once, without a restart; a broken edit keeps the last good calendar."""
from __future__ import annotations

import os
import re

import requests
import yaml

from oversight_kit import write_config
from yici_testkit import BIN, Process, base_env, free_port, wait_for

NOTICE_2027 = """years:
  2027:
    published: true
    source: "test fixture, not the real notice"
    holidays: [2027-01-01]
"""
QUERY = {"from": "2026-12-30", "workdays": 5}


def _due(process: Process) -> dict:
    response = requests.get(process.url("/api/v1/calendar/due"), params=QUERY, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _write(path, text: str) -> None:
    stamp = path.stat().st_mtime_ns + 2_000_000_000 if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if stamp:
        os.utime(path, ns=(stamp, stamp))


def test_a_holiday_notice_added_while_running_is_used_without_a_restart(tmp_path):
    overrides = tmp_path / "calendar-overrides.yaml"
    _write(overrides, "years: {}\n")
    port = free_port()
    env = base_env(tmp_path, YICI_PORT=str(port))
    config = write_config(tmp_path, env)
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    config.write_text(yaml.safe_dump({**settings, "calendar_overrides": str(overrides)}, allow_unicode=True),
                      encoding="utf-8")
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], env, tmp_path / "yici.log", port).start()
    try:
        process.wait_ready()
        before = _due(process)
        # weekends only past 2026: Dec 31, Jan 1, 4, 5, 6
        assert before == {**before, "due": "2027-01-06", "provisional": True, "covered_until": "2026-12-31"}

        _write(overrides, NOTICE_2027)
        after = wait_for(lambda: (d := _due(process))["provisional"] is False and d, timeout=10,
                         what="the new notice used")
        assert after["due"] == "2027-01-07" and after["covered_until"] == "2027-12-31"  # 1 January is a holiday
        metrics = requests.get(process.url("/metrics"), timeout=10).text
        until = float(re.search(r"^yici_calendar_official_until_timestamp_seconds (\S+)$", metrics, re.M).group(1))
        assert until == 1830268800.0  # 2028-01-01 00:00 in Asia/Shanghai

        _write(overrides, "years: {2027: {published: true}}\n")  # no source: refused, the last good one stays
        assert _due(process)["due"] == "2027-01-07"
        wait_for(lambda: "calendar_overrides_invalid" in process.tail(200), timeout=10, what="the bad edit logged")
    finally:
        process.stop()
