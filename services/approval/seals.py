"""E-seals (电子印章): an Ed25519 signature of a department over the canonical content of a document."""
from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from shared.config import ApprovalSettings

ALGORITHM = "Ed25519"


def canonical(content: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def key_env(department: str) -> str:
    return "YICI_SEAL_KEY_" + department.upper().replace("-", "_")


def private_key(department: str, settings: ApprovalSettings) -> Ed25519PrivateKey:
    """YICI_SEAL_KEY_<DEPT> (base64 of 32 bytes), then settings.seal_keys, then a development key."""
    configured = os.environ.get(key_env(department)) or settings.seal_keys.get(department)
    if configured:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
    seed = hashlib.sha256(f"{settings.seal_secret}:{department}".encode("utf-8")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(department: str, settings: ApprovalSettings) -> str:
    raw = private_key(department, settings).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_key: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def seal(content: dict, department: str, settings: ApprovalSettings) -> dict:
    """The seal record kept with the document: who signed, with which key, and the signature."""
    key = private_key(department, settings)
    public = public_key_b64(department, settings)
    return {"algorithm": ALGORITHM, "department": department, "key_id": key_id(public), "public_key": public,
            "signature": base64.b64encode(key.sign(canonical(content))).decode()}


def verify(content: dict, record: dict, trusted_public_key: str) -> bool:
    """True when `record` signs exactly `content` with the department's trusted key."""
    if record.get("algorithm") != ALGORITHM or record.get("public_key") != trusted_public_key:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(trusted_public_key)).verify(
            base64.b64decode(record.get("signature", "")), canonical(content))
    except (InvalidSignature, ValueError):
        return False
    return True
