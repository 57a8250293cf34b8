"""Oversight's use cases: keep every event in the case's timeline and the case's summary current."""
from __future__ import annotations

from shared.events import Event
from shared.messaging import UnitOfWork

STATUS_BY_EVENT = {"case_submitted": "submitted", "correction_requested": "correction_requested",
                   "case_accepted": "accepted", "approval_requested": "in_approval",
                   "case_completed": "completed", "case_rejected": "rejected",
                   "case_withdrawn": "withdrawn", "delivery_completed": "delivered"}
ORDER = {"submitted": 0, "correction_requested": 1, "accepted": 2, "in_approval": 3, "withdrawn": 4,
         "completed": 5, "rejected": 5, "delivered": 6}
ACTOR_BY_EVENT = {"case_submitted": "intake", "correction_requested": "intake", "case_accepted": "intake",
                  "approval_requested": "routing", "case_completed": "routing", "case_rejected": "routing",
                  "case_withdrawn": "intake", "delivery_dispatched": "delivery",
                  "delivery_completed": "delivery", "rating_received": "applicant",
                  "supervision_warning": "oversight"}


def record_event(uow: UnitOfWork, event: Event) -> None:
    """Timeline rows are keyed by event id and read in occurrence order, so arrival order does not matter."""
    uow.oversight.record({"event_id": str(event.event_id), "case_id": event.case_id,
                          "event_type": event.event_type, "occurred_at": event.occurred_at,
                          "actor": _actor(event), "body": event.model_dump(mode="json")["payload"]})
    _summarise(uow, event)


def _actor(event: Event) -> str:
    if event.event_type == "approval_decided":
        return f"{event.payload.department}:{event.payload.decided_by}"
    return ACTOR_BY_EVENT.get(event.event_type, "unknown")


def _summarise(uow: UnitOfWork, event: Event) -> None:
    case = uow.oversight.case(event.case_id, for_update=True)
    status = STATUS_BY_EVENT.get(event.event_type)
    if case is None:
        uow.oversight.add_case(case_id=event.case_id, status=status or "submitted")
        case = uow.oversight.case(event.case_id)
    values = _facts(event)
    if status and ORDER[status] > ORDER.get(case.status, 0):
        values["status"] = status
    if values:
        uow.oversight.update_case(event.case_id, **values)


def _facts(event: Event) -> dict:
    if event.event_type == "case_submitted":
        return {"matter_code": event.payload.matter_code, "channel": event.payload.channel,
                "submitted_at": event.occurred_at}
    if event.event_type == "case_accepted":
        return {"matter_code": event.payload.matter_code, "channel": event.payload.channel,
                "accepted_at": event.occurred_at}
    if event.event_type == "case_completed":
        return {"completed_at": event.occurred_at}
    return {}
