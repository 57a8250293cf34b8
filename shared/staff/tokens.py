"""Staff session tokens: a JSON body signed by oversight with Ed25519, verified anywhere with the public key.

Format: `v1.<base64url body>.<base64url signature>`; the body names the session, the account, the person's
display name, role, department, unit, and the issue and expiry times. No service needs a shared session store:
the signature proves oversight issued it; the revocation registry (revocations.py) refuses ended ones."""
from __future__ import annotations

import base64
import binascii
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.config import Settings

KEY_FILE = "staff_session_ed25519.pem"
VERSION = "v1"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(body: dict[str, Any], key: Ed25519PrivateKey) -> str:
    """The token of `body` (JSON-serialisable) signed with `key`."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return f"{VERSION}.{_b64(raw)}.{_b64(key.sign(VERSION.encode() + b'.' + raw))}"


def verified(token: str, key: Ed25519PublicKey) -> dict[str, Any] | None:
    """The body of a token whose signature `key` verifies; None for anything else (malformed, tampered)."""
    parts = token.split(".") if token else []
    if len(parts) != 3 or parts[0] != VERSION or len(token) > 4096:
        return None
    try:
        raw, signature = _unb64(parts[1]), _unb64(parts[2])
        key.verify(signature, VERSION.encode() + b"." + raw)
        body = json.loads(raw.decode("utf-8"))
    except (InvalidSignature, binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """oversight's private key: `staff.signing_key`, else the one generated once in data_dir."""
    pem = settings.staff.signing_key.encode() if settings.staff.signing_key else \
        _kept_pem(Path(settings.data_dir).resolve())
    return _private(pem)


def public_key(settings: Settings) -> Ed25519PublicKey:
    """The verifying key: `staff.public_key`, else the public half of the signing key (configured or in data_dir)."""
    if settings.staff.public_key:
        return _public(settings.staff.public_key.encode())
    return signing_key(settings).public_key()


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


@lru_cache(maxsize=8)
def _private(pem: bytes) -> Ed25519PrivateKey:
    """PEM (PKCS#8), or base64 of the raw 32-byte private key (one line, for an environment variable)."""
    if not pem.lstrip().startswith(b"-----"):
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(pem.strip(), validate=True))
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("staff.signing_key is not an Ed25519 private key")
    return key


@lru_cache(maxsize=8)
def _public(pem: bytes) -> Ed25519PublicKey:
    """PEM (SubjectPublicKeyInfo), or base64 of the raw 32-byte public key."""
    if not pem.lstrip().startswith(b"-----"):
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(pem.strip(), validate=True))
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("staff.public_key is not an Ed25519 public key")
    return key


@lru_cache(maxsize=8)
def _kept_pem(data_dir: Path) -> bytes:
    """A private key generated once into data_dir (mode 0600) and read from it afterwards, by every process."""
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of the suite made it first
            return path.read_bytes()
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
    return path.read_bytes()


def new_keypair() -> tuple[str, str]:
    """A fresh (private, public) pair as base64 of the raw 32 bytes each: one line per key, for environment
    variables (YICI_STAFF_SIGNING_KEY for oversight, YICI_STAFF_PUBLIC_KEY for every service)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private).decode("ascii"), base64.b64encode(public).decode("ascii")


def public_of(private: str) -> str:
    """The public key (base64 raw) of a private key given as PEM or base64 raw."""
    raw = _private(private.encode()).public_key().public_bytes(serialization.Encoding.Raw,
                                                                serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_problems(settings: Settings, services: list[str]) -> list[str]:
    """Distributed mode: why staff sessions would not verify across these processes (empty when they will).

    Each process without the keys would make a key pair of its own in its data_dir: sign-ins issued by oversight
    would then be refused by every other service, a redirect loop for the person. So every service needs the
    public key, oversight the private one too, and the two must belong together."""
    staff, problems = settings.staff, []
    if staff.public_key is None:
        problems.append("staff.public_key (YICI_STAFF_PUBLIC_KEY) is unset: other services could not verify "
                        "staff sessions")
    if "oversight" in services and staff.signing_key is None:
        problems.append("staff.signing_key (YICI_STAFF_SIGNING_KEY) is unset: oversight signs staff sessions")
    if staff.public_key and staff.signing_key:
        try:
            mine = _public(staff.public_key.encode()).public_bytes(serialization.Encoding.Raw,
                                                                    serialization.PublicFormat.Raw)
            paired = base64.b64decode(public_of(staff.signing_key))
        except (ValueError, binascii.Error) as exc:
            return [*problems, f"staff keys are unreadable: {exc}"]
        if mine != paired:
            problems.append("staff.public_key is not the public half of staff.signing_key")
    return problems
