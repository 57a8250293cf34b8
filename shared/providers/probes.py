"""What /healthz and /readyz answer: each part of the process registers checks that say what is wrong.

A check returns None when all is well, else the reason (a raised exception counts as its reason).
- required: the service cannot do its work without it (the database): /readyz answers 503.
- degraded: the service still does its work, some of it later (the broker: intake stores cases and forwards
  their events when the broker returns): /readyz stays 200 and names it under "degraded".
- liveness: the process is wedged and only a restart helps (a worker stuck for minutes, consumers that do
  not reconnect to a broker that answers): /healthz and /readyz answer 503.
"""
from __future__ import annotations

from typing import Callable

Check = Callable[[], "str | None"]
_REQUIRED: dict[str, Check] = {}
_DEGRADED: dict[str, Check] = {}
_LIVENESS: dict[str, Check] = {}


def require(name: str, check: Check) -> None:
    _REQUIRED[name] = check


def degrade(name: str, check: Check) -> None:
    _DEGRADED[name] = check


def liveness(name: str, check: Check) -> None:
    _LIVENESS[name] = check


def forget(prefix: str) -> None:
    """Drop a stopped service's checks (the embedded suite's processes start and stop several)."""
    for checks in (_REQUIRED, _DEGRADED, _LIVENESS):
        for name in [n for n in checks if n.startswith(prefix)]:
            del checks[name]


def health() -> tuple[int, dict]:
    wedged = _failing(_LIVENESS)
    return (503, {"status": "wedged", "wedged": wedged}) if wedged else (200, {"status": "ok"})


def readiness(draining: bool = False) -> tuple[int, dict]:
    failing = {**_failing(_REQUIRED), **_failing(_LIVENESS)}
    if draining:
        failing["process"] = "shutting down"
    body = {"ready": not failing, "failing": failing, "degraded": _failing(_DEGRADED)}
    return (503 if failing else 200), body


def _failing(checks: dict[str, Check]) -> dict[str, str]:
    failing = {}
    for name, check in list(checks.items()):
        try:
            reason = check()
        except Exception as exc:  # noqa: BLE001 - any failure is a reason
            reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        if reason:
            failing[name] = reason
    return failing
