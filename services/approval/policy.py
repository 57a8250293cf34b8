"""How a department decides: on its own (auto mode, instant items, rules it configured) or by a clerk or system."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from shared.config import ApprovalSettings


@dataclass(frozen=True)
class AutoDecision:
    decided_by: str
    reasons: tuple[str, ...] = ()


def automatic(request: dict, settings: ApprovalSettings,
              holds: Callable[[str, str], bool]) -> AutoDecision | None:
    """The decision taken without a person, if any; `holds(holder, license_type)` asks the registry."""
    mode = settings.mode_of(request["department"], request.get("unit"))
    if mode == "auto":
        return AutoDecision("auto")
    if mode == "external":
        return None
    if settings.instant_auto and request.get("promised_days") == 0:
        return AutoDecision("auto:instant")
    rule = next((r for r in settings.rules if _applies(r, request, holds)), None)
    return AutoDecision(f"rule:{rule.name}") if rule else None


def _applies(rule, request: dict, holds: Callable[[str, str], bool]) -> bool:
    if rule.department != request["department"] or (rule.items and request["item_code"] not in rule.items):
        return False
    if rule.requires_license is None:
        return True
    return bool(request.get("holder_id")) and holds(request["holder_id"], rule.requires_license)



def decision_wait(delay_seconds: float, requested_at: Iterable[datetime], now: datetime) -> float:
    """How long a batch waits before automatic decisions (`approval.delay_seconds`, a demo and test knob).

    The delay counts from the newest request in the batch: a request that already waited it (handled again one
    by one after a batch failed in a database outage, or redelivered) is not held once more. Counted per call
    instead, a failed batch handled again one request at a time waited the whole delay once per request.
    """
    newest = max(requested_at, default=None)
    if not delay_seconds or newest is None:
        return 0.0
    return max(0.0, min(delay_seconds, delay_seconds - (now - newest).total_seconds()))
