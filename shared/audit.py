"""The audit trail's rules: who read or decided what (an `audit_recorded` event), the keyed pseudonym that stands
for a person, and the hash chain oversight keeps of the entries (docs/decisions/0013-audit-trail.md)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from shared.events import AuditActor, AuditRecorded

GENESIS = "0" * 64
"""The `previous_hash` of the first entry."""
KEY_FILE = "audit-subject.key"
ENTRY_FIELDS = ("event_id", "occurred_at", "case_id", "service", "action", "actor_kind", "actor_name",
                "actor_role", "actor_department", "actor_client", "subject", "purpose", "client_address",
                "outcome")
"""The columns of an entry that its hash covers: all but the hashes and the sequence number (the order is held by
each entry naming its predecessor's hash, so an entry moved elsewhere is told from one edited)."""


def normalized_subject(value: str) -> str:
    """An ID number or credit code as the registry keeps it: trimmed, upper-case."""
    return value.strip().upper()


def pseudonym(value: str, key: bytes) -> str:
    """Stands for a person in the audit trail: the same for one ID number under one key, and no way back to
    the number without the key (an ID number alone has too few possible values for a plain hash)."""
    digest = hmac.new(key, normalized_subject(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"p:{digest[:32]}"


def subject_key(configured: str | None, data_dir: Path) -> bytes:
    """The pseudonym key: `audit_subject_key` when set (needed when services run on different machines, so
    that every service names a person alike); else one generated once and kept in the data directory."""
    if configured:
        return configured.encode("utf-8")
    return kept_secret(Path(data_dir) / KEY_FILE)


def kept_secret(path: Path) -> bytes:
    """A random secret generated once into `path` (mode 0600) and read from it afterwards, by every process."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of the suite made it first
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_bytes().strip()


def audit_event(actor: AuditActor, action: str, service: str, purpose: str, case_id: str = "",
                subject: str | None = None, address: str | None = None, outcome: str = "answered",
                correlation_id: str | None = None) -> AuditRecorded:
    """The entry of one read or decision; `subject` is already a pseudonym."""
    return AuditRecorded(case_id=case_id, correlation_id=correlation_id, payload={
        "action": action, "actor": actor, "service": service, "purpose": purpose, "subject": subject,
        "client_address": address, "outcome": outcome})


LENGTHS = {"case_id": 64, "service": 32, "action": 64, "actor_kind": 16, "actor_name": 200, "actor_role": 16,
           "actor_department": 100, "actor_client": 200, "subject": 40, "purpose": 200, "client_address": 64,
           "outcome": 64}
"""The chain table's column widths: an entry is cut to them, never refused (an entry that cannot be stored would
stop the consumer behind it)."""


def entry_of(event: AuditRecorded, seq: int) -> dict[str, Any]:
    """The chain's row of an audit event (without its hashes), each text cut to its column's width."""
    entry = _fields(event, seq)
    return {k: v[:LENGTHS[k]] if isinstance(v, str) and k in LENGTHS else v for k, v in entry.items()}


def _fields(event: AuditRecorded, seq: int) -> dict[str, Any]:
    p = event.payload
    return {"seq": seq, "event_id": str(event.event_id), "occurred_at": event.occurred_at.astimezone(timezone.utc).isoformat(),
            "case_id": event.case_id, "service": p.service, "action": p.action, "actor_kind": p.actor.kind,
            "actor_name": p.actor.name, "actor_role": p.actor.role, "actor_department": p.actor.department,
            "actor_client": p.actor.client, "subject": p.subject, "purpose": p.purpose,
            "client_address": p.client_address, "outcome": p.outcome}


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The entry's fields as canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps({k: entry.get(k) for k in ENTRY_FIELDS}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def chain_hash(previous_hash: str, entry: Mapping[str, Any]) -> str:
    """sha256(previous hash + canonical JSON of the entry), hex."""
    return hashlib.sha256(previous_hash.encode("ascii") + canonical(entry)).hexdigest()


def chained(entries: Iterable[dict[str, Any]], previous_hash: str) -> list[dict[str, Any]]:
    """The entries with their `previous_hash` and `hash`, each linked to the one before."""
    linked = []
    for entry in entries:
        digest = chain_hash(previous_hash, entry)
        linked.append({**entry, "previous_hash": previous_hash, "hash": digest})
        previous_hash = digest
    return linked


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding: the sequence number and what is wrong there."""
    seq: int
    kind: str  # edited | deleted | reordered
    detail: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.kind} ({self.detail})"


@dataclass(frozen=True)
class Verified:
    entries: int
    head: str
    broken: Break | None


def verify(rows: Iterable[Mapping[str, Any]]) -> Verified:
    """Recompute the chain in sequence order and name the first entry that does not hold: one whose fields no
    longer give its hash (edited), a number missing (deleted), or one that does not link to the entry before it
    (reordered, or the entry before it deleted and the rest renumbered, or rewritten with its hash)."""
    previous, expected, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        seq = int(row["seq"])
        if seq != expected:
            return Verified(count, previous, Break(expected, "deleted", f"the next entry present is {seq}"))
        if chain_hash(str(row["previous_hash"]), row) != row["hash"]:
            return Verified(count, previous, Break(seq, "edited", "its fields do not give its hash"))
        if row["previous_hash"] != previous:
            return Verified(count, previous, Break(seq, "reordered", "it does not link to the entry before it: it was "
                                                  "moved, or an entry before it deleted or rewritten"))
        previous, expected = str(row["hash"]), expected + 1
    return Verified(count, previous, None)
