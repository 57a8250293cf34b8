"""Signed, expiring links to a case's materials for the department an item is requested of.

Routing puts one link per uploaded material into each approval_requested it sends, so that a department system
reading its queue with plain pika fetches the file without a bearer token; intake checks the link (HMAC-SHA256
over the file, the case, the department and the expiry, with `file_link_secret`) and that the department was
requested an item of that case. An altered, foreign or expired link is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from shared.audit import kept_secret
from shared.config import Settings

KEY_FILE = "file-link.key"


class LinkRefused(ValueError):
    """Why a link does not open its file: bad_signature, malformed, other_file, expired."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class LinkClaims:
    file_ref: str
    case_id: str
    department: str
    expires_at: datetime


class FileLinks:
    def __init__(self, secret: bytes, base_url: str, ttl: timedelta):
        self._key, self.base_url, self.ttl = secret, base_url.rstrip("/"), ttl

    def sign(self, file_ref: str, case_id: str, department: str, now: datetime) -> str:
        claims = {"f": file_ref, "c": case_id, "d": department, "e": int((now + self.ttl).timestamp())}
        body = _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        return f"{body}.{self._mac(body)}"

    def url(self, file_ref: str, case_id: str, department: str, now: datetime) -> str:
        token = self.sign(file_ref, case_id, department, now)
        return f"{self.base_url}/api/v1/files/{quote(file_ref)}/download?link={token}"

    def verify(self, token: str, file_ref: str, now: datetime) -> LinkClaims:
        body, _, mac = token.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(body)):
            raise LinkRefused("bad_signature")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            found = LinkClaims(str(claims["f"]), str(claims["c"]), str(claims["d"]),
                               datetime.fromtimestamp(int(claims["e"]), timezone.utc))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise LinkRefused("malformed") from None
        if found.file_ref != file_ref:
            raise LinkRefused("other_file")
        if now >= found.expires_at:
            raise LinkRefused("expired", found.expires_at.isoformat())
        return found

    def with_links(self, materials: list[dict[str, Any]], case_id: str, department: str,
                   now: datetime) -> list[dict[str, Any]]:
        """The materials, each uploaded one with its `download_url` for this department."""
        return [{**m, "download_url": self.url(m["file_ref"], case_id, department, now)}
                if isinstance(m.get("file_ref"), str) and m["file_ref"] else m for m in materials]

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii", "replace"), hashlib.sha256).digest())


def file_links(settings: Settings) -> FileLinks:
    """The suite's links: `file_link_secret`, else the secret generated once in data_dir."""
    secret = settings.file_link_secret.encode("utf-8") if settings.file_link_secret else \
        _kept(Path(settings.data_dir).resolve())
    return FileLinks(secret, settings.base_url("intake"), timedelta(hours=settings.file_link_ttl_hours))


@lru_cache(maxsize=8)
def _kept(data_dir: Path) -> bytes:
    return kept_secret(data_dir / KEY_FILE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
