"""Errors that tell the message plumbing what to do with a failed message, and the refusals of the rules."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.events import Event


class PermanentError(Exception):
    """Retrying cannot help (bad data, a rule the message breaks): dead-letter it with this reason."""


class TransientError(Exception):
    """Something outside is not ready yet (a database, a broker, a peer): retry with backoff."""


class UnknownCase(PermanentError):
    """An event about a case (or an item of one) this service never knew, where no ordering race can explain
    it: nothing of it becomes state; it is dead-lettered with this reason. No personal data in the reason."""

    def __init__(self, case_id: str, event_type: str, detail: str = ""):
        self.case_id, self.event_type = case_id, event_type
        super().__init__(f"unknown case: {event_type} about case {case_id}" + (f": {detail}" if detail else ""))


class CaseNotKnownYet(TransientError):
    """An event about a case this service has not seen begin yet, where an ordering race can explain it (its
    first event may still be on its way): the consumer parks it for a bounded time, then dead-letters it."""

    def __init__(self, case_id: str, event_type: str):
        self.case_id, self.event_type = case_id, event_type
        super().__init__(f"case not known yet: {event_type} about case {case_id}")


class SetAside(Exception):
    """Some events of a batch cannot be handled with the others, each for its own reason (an UnknownCase,
    a CaseNotKnownYet): nothing of the batch was committed. The consumer settles each of them alone (by its
    error) and handles the rest of the batch together, once."""

    def __init__(self, errors: dict[str, Exception]):
        self.errors = {str(event_id): error for event_id, error in errors.items()}
        super().__init__("; ".join(str(e) for e in list(self.errors.values())[:3]))

    @classmethod
    def of(cls, pairs: Iterable[tuple[Event, Exception]]) -> SetAside:
        """From (event, error) pairs."""
        return cls({str(event.event_id): error for event, error in pairs})

    def error_for(self, event_id: object) -> Exception | None:
        return self.errors.get(str(event_id))


def problem(field: str, code: str, message_zh: str, message_en: str) -> dict[str, str]:
    """One thing wrong with a request, naming its field, in Chinese and English."""
    return {"field": field, "code": code, "message_zh": message_zh, "message_en": message_en}


class Refusal(Exception):
    """A request the rules refuse, one problem per field (see `problem`); nothing of it was done. The HTTP edge
    answers each kind with its status (shared/providers/web.py); the rules never know HTTP."""

    def __init__(self, problems: list[dict[str, str]]):
        self.problems = problems
        super().__init__("; ".join(p["message_en"] for p in problems))


class Invalid(Refusal):
    """The request breaks a rule: a field or a combination that can never be accepted as sent."""


class NotFound(Refusal):
    """No such thing (a case, a task, a link): `what` names the field that pointed at it."""

    def __init__(self, what: str, key: str, code: str = "not_found", message_zh: str = "", message_en: str = ""):
        super().__init__([problem(what, code, message_zh or f"未找到：{key}", message_en or f"not found: {key}")])


class Conflict(Refusal):
    """The request does not fit the state it meets (already rated, not waiting for review, another's claim)."""

    def __init__(self, field: str, code: str, message_zh: str, message_en: str):
        super().__init__([problem(field, code, message_zh, message_en)])


class Gone(Refusal):
    """It existed, and no longer holds (an expired download link)."""

    def __init__(self, field: str, code: str, message_zh: str, message_en: str):
        super().__init__([problem(field, code, message_zh, message_en)])


class TooManyAttempts(Refusal):
    """Too many failed attempts at a guessable code (from this client, or at this target, which is then locked
    for a while): refused without looking, even when the code is right. The edge answers 429 with Retry-After."""

    def __init__(self, field: str, retry_after: int, locked: bool):
        self.retry_after = retry_after
        what_zh, what_en = ("该对象因多次错误尝试已暂时锁定", "locked after repeated failed attempts") if locked else \
            ("错误尝试过多", "too many failed attempts from this client")
        super().__init__([problem(field, "locked" if locked else "too_many_attempts",
                                  f"{what_zh}，请于{retry_after}秒后再试", f"{what_en}; retry after {retry_after} s")])
