"""The oversight test kit's suite: the configuration it writes is valid, and its clock moves."""
from __future__ import annotations

from datetime import timedelta

from oversight_kit import SUPERVISOR_TOKEN, back_to_today, embedded_suite, scan_on, write_config
from shared.config import load_settings
from shared.workdays import today_in_shanghai
from yici_testkit import base_env


def test_the_written_configuration_is_valid(tmp_path):
    env = base_env(tmp_path, YICI_PORT="18000")
    settings = load_settings(write_config(tmp_path, env, delivery={"link_ttl_days": 7}))
    assert settings.client_for_token(SUPERVISOR_TOKEN).role == "supervisor"
    assert settings.oversight.scan_interval_seconds == 3600 and settings.delivery.link_ttl_days == 7


def test_the_clock_moves_a_running_suite_and_back(tmp_path):
    with embedded_suite(tmp_path, clock=True) as suite:
        ahead = today_in_shanghai() + timedelta(days=40)
        assert scan_on(suite, ahead) == []
        back_to_today(suite)
        assert scan_on(suite, today_in_shanghai()) == []
