"""好差评 from the status page: whoever holds the case's lookup code rates the concluded case, once.

Intake only checks and passes it on (`case_rated`); oversight takes the rating and, for a bad one, opens the
rectification at the department whose item was rated (or that rejected the case). What that department did
comes back as `rectification_closed` and is shown on the same page (notices.outcome).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from services.intake.commands import RateFromPage
from shared.attempts import Attempt
from shared.errors import Conflict, Invalid, problem
from shared.events import CaseRated
from shared.messaging import UnitOfWork

if TYPE_CHECKING:
    from services.intake.handlers import Context

CONCLUDED = ("completed", "delivered", "rejected")


def rate(uow: UnitOfWork, case_id: str, code: str, attempt: Attempt, now: float, command: RateFromPage,
         context: Context, at: datetime) -> str | None:
    """The case id once rated; None for a wrong code (counted like any lookup, then refused as not found)."""
    from services.intake.handlers import look_up
    if look_up(uow, case_id, code, attempt, now, context) is None:
        return None
    case = uow.cases.get(case_id, for_update=True)
    outcome = dict(case.outcome or {})
    check(case.status, outcome, command, {i.item_code for i in uow.cases.items(case_id)})
    outcome["rating"] = {"score": command.score, "item_code": command.item_code, "comment": command.comment,
                         "rated_at": at.isoformat()}
    uow.cases.update(case_id, outcome=outcome)
    uow.emit(CaseRated(case_id=case_id, payload={"score": command.score, "comment": command.comment,
                                                 "item_code": command.item_code}))
    return case_id


def check(status: str, outcome: dict, command: RateFromPage, item_codes: set[str]) -> None:
    """Rated once, after the case concluded, and only about one of its own items."""
    if status not in CONCLUDED:
        raise Conflict("case_id", "not_concluded", "案件办结后才能评价", f"a case can be rated once concluded; it is {status}")
    if outcome.get("rating"):
        raise Conflict("case_id", "already_rated", "该案件已评价，每件只能评价一次", "this case was already rated")
    if command.item_code and command.item_code not in item_codes:
        raise Invalid([problem("item_code", "unknown_item", "该办件没有此事项", "the case has no such item")])
