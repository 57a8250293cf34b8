"""E-seals (电子印章): an Ed25519 signature of a department over the canonical content of a document.

A department has keys, each known by its key id (the first 16 hex digits of the SHA-256 of the public key):
one current key that signs, and retired keys kept so that what they signed still verifies. The keys are
generated per deployment (sealkeys.py keeps them in approval's database) or supplied by the operator
(YICI_SEAL_KEY_<DEPT>, approval.seal_keys). A seal record names the key id; verification looks the key up
among the department's own keys and never trusts a public key carried in the record.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from shared.workdays import today_in_shanghai

ALGORITHM = "Ed25519"
GENERATED, OPERATOR = "generated", "operator"


@dataclass(frozen=True)
class SealKey:
    """One key of a department; `private_key` (base64 of the 32-byte seed) only where this service signs."""
    department: str
    key_id: str
    public_key: str
    valid_from: datetime
    retired_at: datetime | None = None
    source: str = GENERATED
    private_key: str | None = None

    def public_view(self) -> dict:
        return {"key_id": self.key_id, "algorithm": ALGORITHM, "public_key": self.public_key,
                "valid_from": self.valid_from, "retired_at": self.retired_at, "source": self.source,
                "status": "retired" if self.retired_at else "current"}


def canonical(content: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def key_env(department: str) -> str:
    return "YICI_SEAL_KEY_" + department.upper().replace("-", "_")


def department_of_env(name: str) -> str | None:
    """The department a YICI_SEAL_KEY_<DEPT> variable names (the inverse of key_env), else None."""
    prefix = "YICI_SEAL_KEY_"
    return name[len(prefix):].lower().replace("_", "-") if name.startswith(prefix) and len(name) > len(prefix) else None


def new_private_key() -> str:
    """A fresh Ed25519 seed from the operating system's random source, base64."""
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


def parse_private_key(value: str) -> Ed25519PrivateKey:
    """A base64 32-byte Ed25519 seed; ValueError saying why not."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"decodes to {len(raw)} bytes, an Ed25519 private key has 32")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_of(private_key: str) -> str:
    raw = parse_private_key(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_key: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def seal(content: dict, key: SealKey) -> dict:
    """The seal record kept with the document: which department signed, with which key, the signature."""
    if key.private_key is None:
        raise ValueError(f"seal key {key.key_id} of {key.department} has no private key here")
    signature = parse_private_key(key.private_key).sign(canonical(content))
    return {"algorithm": ALGORITHM, "department": key.department, "key_id": key.key_id,
            "signature": base64.b64encode(signature).decode()}


def check(content: dict, record: dict, keys: list[SealKey], signed_on: date | None) -> str | None:
    """None when `record` signs exactly `content` with one of the department's keys, in force on `signed_on`
    (the document's issue date, itself signed); else why not: unknown_key, retired_key, bad_signature, ..."""
    department = content.get("issuing_department")
    if record.get("algorithm") != ALGORITHM:
        return "unknown_algorithm"
    if not department or record.get("department") != department:
        return "wrong_department"
    key = next((k for k in keys if k.key_id == record.get("key_id") and k.department == department), None)
    if key is None:
        return "unknown_key"
    if key.retired_at is not None and (signed_on is None or signed_on > today_in_shanghai(key.retired_at)):
        return "retired_key"
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key)).verify(
            base64.b64decode(str(record.get("signature", "")), validate=True), canonical(content))
    except (InvalidSignature, ValueError, binascii.Error):
        return "bad_signature"
    return None
