"""Links (QR codes, receipts, download links in texts) point where the suite really answers."""
from __future__ import annotations

from shared.config import DEFAULT_CONFIG, load_settings

DISTRIBUTED = DEFAULT_CONFIG.parent / "distributed.yaml"


def test_unconfigured_links_follow_the_port_the_server_is_started_on():
    settings = load_settings(DEFAULT_CONFIG, env={"YICI_PORT": "9123"})
    assert settings.public_base_url is None
    assert settings.base_url("intake") == settings.base_url() == "http://127.0.0.1:9123"


def test_a_configured_public_base_url_wins():
    settings = load_settings(DEFAULT_CONFIG, env={"YICI_PORT": "9123",
                                                 "YICI_PUBLIC_BASE_URL": "https://zwfw.example/"})
    assert settings.base_url("delivery") == "https://zwfw.example"


def test_distributed_links_follow_each_services_port_and_a_wildcard_host_is_the_loopback():
    settings = load_settings(DISTRIBUTED, env={"YICI_HOST": "0.0.0.0", "YICI_INTAKE_PORT": "9001",
                                               "YICI_DELIVERY_PORT": "9004", "YICI_AMQP_URI": "amqp://x",
                                               "YICI_DATABASE_URL": "postgresql://x"})
    assert settings.base_url("intake") == "http://127.0.0.1:9001"
    assert settings.base_url("delivery") == "http://127.0.0.1:9004"
