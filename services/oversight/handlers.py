"""Oversight's use cases: every event into the timeline, and the case refolded from it.

The supervision scan is in scan.py, ratings and rectification tasks in ratings.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from services.oversight import audit, commitments, ratings
from services.oversight.domain import CONCLUDED, CaseState, Fact, as_utc
from services.oversight.metrics import observe_completions
from services.oversight.supervision import LenientCalendar, case_clock, on_time, used_workdays
from services.oversight.timeline import fold, fold_on
from shared.catalog import Catalog, UnknownMatter, default_catalog
from shared.config import OversightSettings, Settings
from shared.errors import CaseNotKnownYet, SetAside
from shared.events import (
    ApprovalCancelled,
    ApprovalDecided,
    ApprovalRequested,
    AuditRecorded,
    CaseAccepted,
    CaseCompleted,
    CaseRated,
    CaseRejected,
    CaseSubmitted,
    CaseWithdrawn,
    CorrectionRequested,
    DeadlineChanged,
    DecisionAnswered,
    DeliveryCompleted,
    DeliveryDispatched,
    DepartmentDecided,
    Event,
    LicenseChanged,
    RatingReceived,
    RectificationClosed,
    SupervisionWarning,
    SupplementProvided,
)
from shared.messaging import Store, UnitOfWork, utcnow
from shared.workdays import WorkingCalendar, today_in_shanghai

ACTOR_BY_EVENT = {CaseSubmitted: "intake", CorrectionRequested: "intake", CaseAccepted: "intake",
                  SupplementProvided: "applicant", ApprovalRequested: "routing", CaseCompleted: "routing",
                  CaseRejected: "routing", ApprovalCancelled: "routing", CaseWithdrawn: "intake",
                  DeliveryDispatched: "delivery", DeliveryCompleted: "delivery", RatingReceived: "applicant",
                  CaseRated: "applicant", RectificationClosed: "oversight",
                  DecisionAnswered: "approval", SupervisionWarning: "oversight"}
CONSUMER = "oversight"


@dataclass(frozen=True)
class Context:
    """What oversight's use cases read besides the unit of work."""
    catalog: Catalog
    settings: OversightSettings
    calendar: WorkingCalendar
    today: Callable[[], date]

    @classmethod
    def build(cls, settings: Settings) -> "Context":
        """With the lenient calendar: supervision keeps counting (provisionally) past the official data."""
        return cls(default_catalog(), settings.oversight, settings.calendar(LenientCalendar), today_in_shanghai)

    def lead_of(self, state: CaseState) -> str:
        try:
            return self.catalog.matter(state.matter_code or "").lead_department
        except UnknownMatter:
            return next(iter(state.departments), "unknown")

    def department_name(self, code: str) -> str:
        department = self.catalog.departments.get(code)
        return department.name if department else code


def consume(store: Store, events: Event | list[Event], context: Context) -> None:
    """Fold the events in one transaction, each once and each case once (the consumer's entry); the latency
    histograms observe completions after the commit.

    Raises SetAside, committing nothing, when some are about cases not known yet (see `not_known_yet`)."""
    completions: list[Completion] = []
    events = events if isinstance(events, list) else [events]
    if store.process_new(CONSUMER, events, lambda uow, fresh: completions.extend(handle_batch(uow, fresh, context))):
        observe_completions(completions)


@dataclass(frozen=True)
class Completion:
    """A case seen complete for the first time: what the latency histograms observe."""
    matter_code: str
    channel: str
    seconds: float
    workdays: int


def handle_batch(uow: UnitOfWork, events: list[Event], context: Context) -> list[Completion]:
    """Add the events to their cases' timelines and carry each case's state on by them.

    A case whose new events all come after what its saved state has folded in (the usual order) is carried
    on from that state; any other is refolded from its whole timeline, so the result is the same whatever
    the arrival order. A batch costs a few statements whatever its size: the cases locked (created where
    new) with one, the timeline rows added with one, the timelines to refold and the open warnings read with
    one each, the cases written together at flush. Audit entries are appended to the audit chain instead: they
    are not part of any case's timeline.
    """
    audit.append(uow, [e for e in events if isinstance(e, AuditRecorded)])
    events = [e for e in events if not isinstance(e, AuditRecorded)]
    if not events:
        return []
    groups: dict[str, list[Fact]] = {}
    last: dict[str, Event] = {}
    rows_to_record = []
    for event in events:
        last[event.case_id] = event
        payload = event.model_dump(mode="json")["payload"]
        occurred_at = as_utc(event.occurred_at)
        rows_to_record.append({"event_id": str(event.event_id), "case_id": event.case_id,
                               "event_type": event.event_type, "occurred_at": occurred_at,
                               "actor": _actor(event), "body": payload})
        groups.setdefault(event.case_id, []).append(Fact(event_id=str(event.event_id),
                                                         event_type=event.event_type,
                                                         occurred_at=occurred_at, payload=payload))
    case_ids = sorted(groups)
    rows = uow.oversight.lock_cases(case_ids)
    waiting = not_known_yet(events, rows)
    if waiting:
        raise SetAside.of((e, CaseNotKnownYet(e.case_id, e.event_type)) for e in waiting)
    uow.oversight.record_many(rows_to_record)
    commitments.follow(uow, events, context.catalog)
    measured = {c: bool(rows[c].state and rows[c].state.get("completed_at") and rows[c].state.get("accepted_at"))
                for c in case_ids}  # seen completed before: the latency histograms observed it then
    states = {c: fold_on(CaseState.model_validate(rows[c].state) if rows[c].state else CaseState(case_id=c),
                         groups[c]) for c in case_ids}
    refold = [c for c, state in states.items() if state is None]
    if refold:
        for case_id, facts in uow.oversight.facts_of(refold).items():
            states[case_id] = fold(case_id, facts)
    open_warnings = uow.supervision.open_warning_subjects_of(case_ids)
    ratings.take_rated(uow, [e for e in events if isinstance(e, CaseRated)], states, context)
    completions: list[Completion] = []
    for case_id in case_ids:
        completions += _record(uow, context, last[case_id], rows[case_id], measured[case_id],
                               states[case_id], open_warnings.get(case_id, []))
    return completions


def not_known_yet(events: list[Event], rows: dict) -> list[Event]:
    """Events of cases whose timeline has no case_submitted yet, saved or in this batch: nothing of them is
    recorded. Intake commits a case before it publishes its case_submitted, but with several replicas, or a
    redelivery after a crash, a later event of the case can arrive first: the consumer parks these a while."""
    begun = {e.case_id for e in events if isinstance(e, CaseSubmitted)}
    return [e for e in events if e.case_id not in begun and rows[e.case_id].submitted_at is None]


def _record(uow: UnitOfWork, context: Context, last: Event, row, was_measured: bool, state: CaseState,
            open_warnings):
    clock = case_clock(state)
    due = clock.deadline(context.calendar, max(context.today(), state.accepted_on)).date if clock else None
    uow.oversight.save_state(state, context.lead_of(state), due, *_verdict(context, state))
    if due is not None and row.due_date is not None and due != row.due_date:
        uow.emit(DeadlineChanged(case_id=last.case_id, correlation_id=last.correlation_id,
                                 payload={"due_date": due, "suspended": state.suspended}))
    _resolve_warnings(uow, state, open_warnings)
    return _completions(context, was_measured, state)


def _verdict(context: Context, state: CaseState) -> tuple[bool | None, int | None]:
    """For a concluded case (completed or rejected): on time, and working days used."""
    clock = case_clock(state)
    if clock is None or state.status not in CONCLUDED or state.closed_on is None:
        return None, None  # e.g. delivery_completed arrived before case_completed: no verdict yet
    return (on_time(clock, state.closed_on, context.calendar),
            used_workdays(clock, state.closed_on, context.calendar))


def _actor(event: Event) -> str:
    if isinstance(event, ApprovalDecided):
        return f"{event.payload.department}:{event.payload.decided_by}"
    if isinstance(event, DepartmentDecided):
        return f"{event.payload.department}:system"
    if isinstance(event, LicenseChanged):
        return f"{event.payload.department}:license"
    return ACTOR_BY_EVENT.get(type(event), "unknown")


def _resolve_warnings(uow: UnitOfWork, state: CaseState, open_warnings: list[tuple[str, str]]) -> None:
    open_subjects = set(open_warnings)
    done_items = [s for scope, s in open_subjects if scope == "item" and
                  (state.closed_at or (s in state.items and state.items[s].decided))]
    if done_items:
        uow.supervision.close_warnings(state.case_id, "resolved", utcnow(), "item", done_items)
    if state.closed_at and ("case", "") in open_subjects:
        uow.supervision.close_warnings(state.case_id, "resolved", utcnow(), "case")


def _completions(context: Context, was_measured: bool, state: CaseState) -> list[Completion]:
    clock = case_clock(state)
    if was_measured or not (state.completed_at and state.accepted_at and clock):
        return []
    return [Completion(state.matter_code or "unknown", state.channel or "unknown",
                       max(0.0, (state.completed_at - state.accepted_at).total_seconds()),
                       used_workdays(clock, state.closed_on, context.calendar))]
