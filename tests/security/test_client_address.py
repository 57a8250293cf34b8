"""Issue 17: the attempt limits count per client address. Behind a reverse proxy every request comes from the
proxy, so the address is taken from X-Forwarded-For, but only when the peer is a trusted proxy, and only the
nearest hop that is not one (what the client itself put further left is not believed)."""
from __future__ import annotations

from ipaddress import ip_network

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from shared.config import load_settings
from shared.providers.web import client_address

PROXIES = [ip_network("10.0.0.0/8")]


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return Request(EnvironBuilder(path="/track/x", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_environ())


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address(_request("203.0.113.7", "198.51.100.1"), []) == "203.0.113.7"
    assert client_address(_request("203.0.113.7", "198.51.100.1"), PROXIES) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client():
    assert client_address(_request("10.1.2.3", "198.51.100.1"), PROXIES) == "198.51.100.1"
    assert client_address(_request("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9"), PROXIES) == "198.51.100.1"
    assert client_address(_request("10.1.2.3"), PROXIES) == "10.1.2.3"
    assert client_address(_request("10.1.2.3", "not-an-address"), PROXIES) == "not-an-address"


def test_the_shipped_configurations_read_trusted_proxies_from_the_environment():
    settings = load_settings("deploy/config/distributed.yaml", {"YICI_TRUSTED_PROXIES": "[10.0.0.0/8, 192.168.1.5]",
                                                                "YICI_API_TOKEN": "x" * 43})
    assert [str(n) for n in settings.http.trusted_proxies] == ["10.0.0.0/8", "192.168.1.5/32"]
    assert load_settings("deploy/config/embedded.yaml", {}).http.trusted_proxies == []
