"""The departments' e-seal keys, kept in approval's database: one current key per department, retired ones kept.

A department without an operator's key (YICI_SEAL_KEY_<DEPT>, approval.seal_keys) gets an Ed25519 key the first
time it needs one, generated in this deployment and stored (as delivery keeps its link secret); replicas that
generate one at once keep one (the (department, serial) key is unique). An operator's key is recorded by its
key id and public key only, and becomes the department's current key: the key it replaces is retired. Rotation
retires the current key, which still verifies what it signed on or before the day it was retired.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from services.approval import seals
from services.approval.seals import GENERATED, OPERATOR, SealKey
from shared.errors import Conflict
from shared.messaging import UnitOfWork


class RetiredOperatorKey(RuntimeError):
    """The operator configured a key that was retired: the seal is not applied until the setting changes."""


def current_key(uow: UnitOfWork, department: str, operator_keys: Mapping[str, str], now: datetime) -> SealKey:
    """The key that signs for `department` now, made (generated or recorded) when it has none."""
    rows = uow.seal_keys.of_department(department)
    configured = operator_keys.get(department)
    if configured:
        return _operator_key(uow, department, configured, rows, now)
    current = [r for r in rows if r.retired_at is None]
    if current:
        return to_key(current[-1])
    return _generate(uow, department, rows, now)


def rotate(uow: UnitOfWork, department: str, operator_keys: Mapping[str, str], now: datetime) -> SealKey:
    """Retire the department's current key (kept for verification) and generate its successor."""
    if operator_keys.get(department):
        raise Conflict("department", "operator_key", "该部门印章密钥由运维人员配置，请更换配置后重启",
                       f"{department}'s seal key is supplied by the operator: set a new {seals.key_env(department)}"
                       " (or approval.seal_keys) and restart; the old key is then retired")
    rows = uow.seal_keys.of_department(department, for_update=True)
    for row in rows:
        if row.retired_at is None:
            uow.seal_keys.retire(row.key_id, now)
    return _generate(uow, department, rows, now)


def keys_of(uow: UnitOfWork, department: str) -> list[SealKey]:
    """Every key of the department, current and retired, oldest first, without private keys."""
    return [to_key(r, with_private=False) for r in uow.seal_keys.of_department(department)]


def to_key(row, with_private: bool = True) -> SealKey:
    return SealKey(row.department, row.key_id, row.public_key, _utc(row.valid_from), _aware(row.retired_at),
                   row.source, row.private_key if with_private else None)


def _generate(uow: UnitOfWork, department: str, rows: list, now: datetime) -> SealKey:
    private = seals.new_private_key()
    public = seals.public_of(private)
    kid = seals.key_id(public)
    if uow.seal_keys.add({"key_id": kid, "department": department, "serial": _next_serial(rows), "public_key": public,
                          "private_key": private, "source": GENERATED, "valid_from": now, "retired_at": None}):
        return SealKey(department, kid, public, now, None, GENERATED, private)
    # another replica made this serial first: use its key
    current = [r for r in uow.seal_keys.of_department(department) if r.retired_at is None]
    if not current:
        raise RuntimeError(f"no current seal key for {department} after a concurrent generation")
    return to_key(current[-1])


def _operator_key(uow: UnitOfWork, department: str, configured: str, rows: list, now: datetime) -> SealKey:
    public = seals.public_of(configured)
    kid = seals.key_id(public)
    known = next((r for r in rows if r.key_id == kid), None)
    if known is not None and known.retired_at is not None:
        raise RetiredOperatorKey(f"{seals.key_env(department)} is seal key {kid} of {department}, retired on "
                                 f"{known.retired_at:%Y-%m-%d}: configure a new key")
    if known is None:
        for row in rows:
            if row.retired_at is None:
                uow.seal_keys.retire(row.key_id, now)
        uow.seal_keys.add({"key_id": kid, "department": department, "serial": _next_serial(rows),
                           "public_key": public, "private_key": None, "source": OPERATOR, "valid_from": now,
                           "retired_at": None})
        return SealKey(department, kid, public, now, None, OPERATOR, configured)
    return SealKey(department, kid, public, _utc(known.valid_from), None, OPERATOR, configured)


def _next_serial(rows: list) -> int:
    return max((r.serial for r in rows), default=0) + 1


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _utc(value: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
