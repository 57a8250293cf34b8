"""The HTTP adapter of a regional e-license library and shared-data exchange (contract: docs/library-http.md).

Each call has a connect and read timeout; idempotent lookups are retried a few times with backoff on connection
errors and 502/503/504 (urllib3's Retry); a circuit breaker (pybreaker) stops asking a library that keeps failing
for `breaker_reset_seconds`, so intake's workers are not tied up by one that is down. Every failure is a
SourceUnavailable: the chain then holds the case for the lookup instead of calling the material missing.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pybreaker
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError
from urllib3.util.retry import Retry

from services.intake.library import SourceUnavailable
from shared.config import LibrarySettings


class HttpLibrary:
    """Both ports over one base URL: POST /v1/licenses/lookup and POST /v1/shared/lookup."""

    def __init__(self, settings: LibrarySettings, name: str = "http-library"):
        if not settings.http_url:
            raise ValueError("the http library needs intake.library.http_url")
        self.name = name
        self.base_url = settings.http_url.rstrip("/")
        self.timeout = (settings.connect_timeout_seconds, settings.read_timeout_seconds)
        self.token = settings.http_token
        self.http = requests.Session()
        retry = Retry(total=settings.retries, connect=settings.retries, read=settings.retries, status=settings.retries,
                      backoff_factor=settings.retry_backoff_seconds, status_forcelist=(502, 503, 504),
                      allowed_methods=frozenset({"POST"}), raise_on_status=False)
        self.http.mount("http://", HTTPAdapter(max_retries=retry))
        self.http.mount("https://", HTTPAdapter(max_retries=retry))
        self.breaker = pybreaker.CircuitBreaker(fail_max=settings.breaker_failures,
                                                reset_timeout=settings.breaker_reset_seconds, name=name)

    def holds(self, holder_id: str, license_types: set[str], on: date) -> set[str]:
        body = self._post("/v1/licenses/lookup", {"holder_id": holder_id, "license_types": sorted(license_types),
                                                  "on": on.isoformat()})
        found = {lic.get("license_type") for lic in body.get("licenses", []) if isinstance(lic, dict)
                 and _in_force(lic.get("valid_until"), on)}
        return {t for t in found if isinstance(t, str)} & license_types

    def supplies(self, holder_id: str, material_codes: set[str]) -> set[str]:
        body = self._post("/v1/shared/lookup", {"holder_id": holder_id, "materials": sorted(material_codes)})
        found = {r.get("material") for r in body.get("records", []) if isinstance(r, dict)}
        return {c for c in found if isinstance(c, str)} & material_codes

    def _post(self, path: str, payload: dict) -> dict[str, Any]:
        try:
            return self.breaker.call(self._send, path, payload)
        except pybreaker.CircuitBreakerError:
            raise SourceUnavailable(self.name, "circuit_open")

    def _send(self, path: str, payload: dict) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.http.post(self.base_url + path, json=payload, headers=headers, timeout=self.timeout)
        except requests.Timeout:
            raise SourceUnavailable(self.name, "timeout")
        except requests.RequestException as exc:
            raise SourceUnavailable(self.name, "timeout" if _timed_out(exc) else "unreachable")
        if response.status_code != 200:
            raise SourceUnavailable(self.name, f"http_{response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise SourceUnavailable(self.name, "bad_response")
        if not isinstance(body, dict):
            raise SourceUnavailable(self.name, "bad_response")
        return body


def _timed_out(exc: requests.RequestException) -> bool:
    """A read timeout after urllib3's retries arrives as a ConnectionError wrapping MaxRetryError(ReadTimeoutError)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (ReadTimeoutError, ConnectTimeoutError))


def _in_force(valid_until: Any, on: date) -> bool:
    if not valid_until:
        return True
    try:
        return date.fromisoformat(str(valid_until)) >= on
    except ValueError:
        return False
