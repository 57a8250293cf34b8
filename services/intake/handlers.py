"""Intake's use cases: take a case in once, pre-review it, one notice, supplements, acceptance, withdrawal."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.intake import notices
from services.intake.commands import ClerkNotice, Supplement, SubmitCase
from services.intake.domain import (CASE_ORDER, ITEM_ORDER, advance, check_submission, holder_of,
                                    new_case_id, new_lookup_code, request_hash)
from services.intake.review import Deficiency, Evidence, Review, review
from services.intake.views import view_of
from sqlalchemy.exc import IntegrityError

from shared.api import ApiError, problem
from shared.catalog import Catalog
from shared.config import IntakeSettings
from shared.errors import SetAside, UnknownCase
from shared.events import CaseSubmitted, CaseWithdrawn, CorrectionRequested, Event, SupplementProvided
from shared.messaging import UnitOfWork
from shared.workdays import WorkingCalendar

OPEN_STATUSES = ("submitted", "correction_requested", "accepted", "in_approval")


@dataclass(frozen=True)
class Intake:
    """What intake's use cases need besides the unit of work."""
    catalog: Catalog
    calendar: WorkingCalendar
    settings: IntakeSettings


def submit_case(uow: UnitOfWork, ctx: Intake, command: SubmitCase, client: str, today: date,
                idempotency_key: str | None = None) -> tuple[int, str]:
    """Store the case once, pre-review it and either accept it or send one correction notice."""
    status, case_id = _submit(uow, ctx, command, client, today, idempotency_key)
    uow.commit()
    return status, case_id


def _submit(uow: UnitOfWork, ctx: Intake, command: SubmitCase, client: str, today: date,
            idempotency_key: str | None) -> tuple[int, str]:
    digest = request_hash(command)
    if idempotency_key:
        existing = uow.cases.by_idempotency_key(idempotency_key)
        if existing is not None:
            return _replay(existing, digest)
    matter, warnings = check_submission(ctx.catalog, command)
    case_id = new_case_id(today)
    case = uow.cases.add(_case_row(case_id, command, ctx, matter, client, idempotency_key, digest, warnings, today),
                         _item_rows(case_id, ctx.catalog.items_for(matter.code, command.situations)))
    uow.emit(CaseSubmitted(case_id=case_id, payload={
        "matter_code": matter.code, "channel": command.channel, "region_code": command.region_code,
        "catalog_version": ctx.catalog.version}))
    if command.channel not in ctx.settings.manual_review_channels:
        _decide(uow, ctx, case, today, allowed=None)
    return 201, case_id


def submit_once(store, ctx: Intake, command: SubmitCase, client: str, today: date,
                idempotency_key: str | None) -> tuple[int, dict]:
    """`submit_case`, answering with the case's view as committed (read in the same transaction).

    Two requests racing with one Idempotency-Key: the loser's insert fails and it replays the winner.
    """
    for attempt in (1, 2):
        try:
            with store.unit_of_work() as uow:
                status, case_id = _submit(uow, ctx, command, client, today, idempotency_key)
                view = view_of(uow, case_id)
                uow.commit()
                return status, view
        except IntegrityError:
            if attempt == 2 or not idempotency_key:
                raise
    raise AssertionError("unreachable")


def _replay(existing, digest: str) -> tuple[int, str]:
    if existing.request_hash != digest:
        raise ApiError(409, [problem("Idempotency-Key", "idempotency_conflict", "该幂等键已用于内容不同的请求",
                                     "this Idempotency-Key was used with a different body")])
    return 200, existing.case_id


def _case_row(case_id, command, ctx, matter, client, key, digest, warnings, today) -> dict:
    body = command.model_dump(mode="json")
    return {"case_id": case_id, "idempotency_key": key, "request_hash": digest,
            "lookup_code": new_lookup_code(), "matter_code": matter.code,
            "catalog_version": ctx.catalog.version, "status": "submitted", "channel": command.channel,
            "region_code": command.region_code, "client": client, "applicant": body["applicant"],
            "holder_id": holder_of(command.applicant), "situations": body["situations"], "form": body["form"],
            "materials": body["materials"], "delivery": body["delivery"], "commitment": command.commitment,
            "warnings": warnings, "submitted_on": today, "promised_days": matter.promised_days,
            "notices": [], "deferred": [], "due_provisional": False}


def _item_rows(case_id: str, items) -> list[dict]:
    return [{"case_id": case_id, "item_code": i.code, "position": n, "name": i.name,
             "department": i.department, "status": "pending"} for n, i in enumerate(items)]


def pre_review(uow: UnitOfWork, ctx: Intake, case, today: date) -> Review:
    refs = [m["file_ref"] for m in case.materials if m.get("file_ref")]
    evidence = Evidence(uow.cases.file_digests(refs), uow.cases.license_types(case.holder_id, today))
    return review(ctx.catalog, case.matter_code, case.situations, case.form, case.materials,
                  case.commitment, evidence)


def _decide(uow: UnitOfWork, ctx: Intake, case, today: date, allowed: set[str] | None) -> None:
    result = pre_review(uow, ctx, case, today)
    deficiencies = [d for d in result.deficiencies if allowed is None or d.target in allowed]
    if deficiencies:
        _send_notice(uow, ctx, case, deficiencies, today)
    else:
        accept(uow, ctx, case, today, today, "pre-review", result.deferred)


def _send_notice(uow: UnitOfWork, ctx: Intake, case, deficiencies: list[Deficiency], today: date) -> None:
    notice = notices.correction_notice(case, deficiencies, ctx.calendar.due(today, ctx.settings.correction_days))
    uow.cases.update(case.case_id, status="correction_requested", notice=notice,
                     notices=[*case.notices, notice])
    uow.emit(CorrectionRequested(case_id=case.case_id, payload={
        "notice_id": notice["notice_id"], "deficiencies": [d.as_dict() for d in deficiencies],
        "due_date": notice["due_date"], "matter_code": case.matter_code,
        "contact": {"name": case.applicant["name"], "phone": case.applicant.get("phone")}}))


def accept(uow: UnitOfWork, ctx: Intake, case, today: date, accepted_on: date, by: str, deferred=()) -> None:
    """Accept the case (from `accepted_on`), record deferred materials' deadlines and start the approval."""
    matter = ctx.catalog.matter(case.matter_code)
    due = ctx.calendar.due(accepted_on, matter.promised_days)
    deferred_rows = [{"code": d.code, "name": d.name, "supplied": False,
                      "due_date": ctx.calendar.due(accepted_on, d.supply_days).date.isoformat()} for d in deferred]
    uow.cases.update(case.case_id, status="accepted", accepted_on=accepted_on, accepted_by=by, notice=None,
                     deferred=deferred_rows, due_date=due.date, due_provisional=due.provisional)
    uow.emit(notices.case_accepted(case, ctx.catalog, accepted_on))


def supply(uow: UnitOfWork, ctx: Intake, case_id: str, supplement: Supplement, today: date) -> None:
    """Supplements answer the notice (reviewed again) or bring deferred materials after acceptance."""
    case = _get(uow, case_id, for_update=True)
    supplied = supplement.model_dump(mode="json")
    approving = case.status in ("accepted", "in_approval")
    suspended = _suspended_item(uow, case_id, supplement.item_code) if approving else None
    if case.status == "correction_requested":
        form = {**case.form, **supplied["form"]}
        materials = _merge_materials(case.materials, supplied["materials"])
        uow.cases.update(case_id, form=form, materials=materials)
        allowed = notices.targets(case.notice) | notices.touched(supplied)
        _decide(uow, ctx, uow.cases.get(case_id), today, allowed)
    elif suspended:
        _supply_department(uow, case, suspended, supplied)
    elif approving and case.deferred:
        uow.cases.update(case_id, materials=_merge_materials(case.materials, supplied["materials"]),
                         deferred=notices.mark_supplied(case.deferred, supplied["materials"]))
    else:
        raise _conflict("supplement_not_expected", "该办件当前无需补正", "this case expects no supplement now")
    uow.commit()


def _suspended_item(uow: UnitOfWork, case_id: str, item_code: str | None) -> str | None:
    """The item a department suspended for a supplement (the named one, or the only one)."""
    waiting = [i.item_code for i in uow.cases.items(case_id) if i.status == "supplement_requested"]
    if item_code is not None:
        return item_code if item_code in waiting else None
    return waiting[0] if len(waiting) == 1 else None


def _supply_department(uow: UnitOfWork, case, item_code: str, supplied: dict) -> None:
    uow.cases.update(case.case_id, form={**case.form, **supplied["form"]},
                     materials=_merge_materials(case.materials, supplied["materials"]),
                     deferred=notices.mark_supplied(case.deferred, supplied["materials"]))
    uow.cases.set_item_status(case.case_id, item_code, "requested")
    uow.emit(SupplementProvided(case_id=case.case_id, payload={
        "item_code": item_code, "request_id": f"{case.case_id}:{item_code}", "form": supplied["form"],
        "materials": supplied["materials"], "note": supplied.get("note", "")}))


def _merge_materials(current: list[dict], new: list[dict]) -> list[dict]:
    by_code = {m["code"]: m for m in current}
    by_code.update({m["code"]: m for m in new})
    return list(by_code.values())


def withdraw(uow: UnitOfWork, case_id: str, reason: str) -> None:
    case = _get(uow, case_id, for_update=True)
    if case.status not in OPEN_STATUSES:
        raise _conflict("not_withdrawable", "办件已办结或已撤回，不能撤回", f"a {case.status} case cannot be withdrawn")
    uow.cases.update(case_id, status="withdrawn")
    uow.emit(CaseWithdrawn(case_id=case_id, payload={"reason": reason}))
    uow.commit()


def clerk_accept(uow: UnitOfWork, ctx: Intake, case_id: str, clerk: str, today: date) -> None:
    case = _get(uow, case_id, for_update=True)
    if case.status not in ("submitted", "correction_requested"):
        raise _conflict("not_waiting", "该办件不在待审状态", f"a {case.status} case is not waiting for review")
    accept(uow, ctx, case, today, today, f"clerk:{clerk}", pre_review(uow, ctx, case, today).deferred)
    uow.commit()


def clerk_notice(uow: UnitOfWork, ctx: Intake, case_id: str, notice: ClerkNotice, today: date) -> None:
    case = _get(uow, case_id, for_update=True)
    if case.status != "submitted":
        raise _conflict("not_waiting", "只能对待审办件出具补正告知", "only a submitted case can get a clerk's notice")
    deficiencies = [Deficiency(d.target, "clerk", d.message_zh, d.message_en or d.message_zh)
                    for d in notice.deficiencies]
    _send_notice(uow, ctx, case, deficiencies, today)
    uow.commit()


def accept_overdue(uow: UnitOfWork, ctx: Intake, today: date) -> list[str]:
    """Art. 32: a case not reviewed in time counts as accepted from the day its materials arrived."""
    accepted = []
    for (case_id,) in uow.cases.submitted_before(today):
        case = uow.cases.get(case_id, for_update=True)
        if ctx.calendar.workdays_between(case.submitted_on, today) >= ctx.settings.review_deadline_days:
            accept(uow, ctx, case, today, case.submitted_on, "rule:art-32",
                   pre_review(uow, ctx, case, today).deferred)
            accepted.append(case_id)
    uow.commit()
    return accepted


def _get(uow: UnitOfWork, case_id: str, for_update: bool = False):
    case = uow.cases.get(case_id, for_update=for_update)
    if case is None:
        raise ApiError(404, [problem("case_id", "not_found", f"未找到：{case_id}", f"not found: {case_id}")])
    return case


def _conflict(code: str, zh: str, en: str) -> ApiError:
    return ApiError(409, [problem("status", code, zh, en)])


CASE_STATUS_BY_EVENT = {"approval_requested": "in_approval", "case_completed": "completed",
                        "case_rejected": "rejected", "delivery_completed": "delivered"}


def follow_events(uow: UnitOfWork, events: list[Event], catalog: Catalog) -> None:
    """Fold a batch's events into the view: its cases locked and read together, then folded one by one.

    Events about cases intake does not have are set aside (SetAside of UnknownCase), nothing committed."""
    groups: dict[str, list[Event]] = {}
    for event in events:
        groups.setdefault(event.case_id, []).append(event)
    cases = uow.cases.lock(sorted(groups), *VIEW_COLUMNS)
    unknown = [e for e in events if cases[e.case_id] is None]
    if unknown:  # intake commits a case before anything about it is published: no race explains these
        raise SetAside.of((e, UnknownCase(e.case_id, e.event_type)) for e in unknown)
    for case_id in sorted(groups):
        follow_case_events(uow, groups[case_id], catalog, cases[case_id])


VIEW_COLUMNS = ("status", "outcome", "holder_id")  # what following events reads of a case


def follow_case_events(uow: UnitOfWork, events: list[Event], catalog: Catalog, case) -> None:
    """Fold one case's downstream events into the applicant's view; late or repeated events never regress it.

    `case` is its row as `follow_events` locked it (VIEW_COLUMNS only). It is written once (only what
    changed), however many events the batch held for it.
    """
    changes: dict = {}
    status, outcome = case.status, dict(case.outcome or {})
    items: dict[str, str] | None = None
    changed_items: dict[str, str] = {}
    for event in events:
        if event.event_type == "approval_decided" and event.payload.licenses:
            _remember_licenses(uow, case, event, catalog)
        if event.event_type == "deadline_changed":
            changes["due_date"] = event.payload.due_date
            continue
        status = advance(status, CASE_STATUS_BY_EVENT.get(event.event_type, status), CASE_ORDER)
        outcome = notices.outcome(outcome, event)
        for item_code, item_status in _item_changes(event):
            if items is None:
                items = {i.item_code: i.status for i in uow.cases.items(case.case_id)}
            current = items.get(item_code)
            if current is not None and advance(current, item_status, ITEM_ORDER) != current:
                items[item_code] = changed_items[item_code] = item_status
    if status != case.status:
        changes["status"] = status
    if outcome != (case.outcome or {}):
        changes["outcome"] = outcome
    if changes:
        uow.cases.update(case.case_id, **changes)
    for item_code, item_status in changed_items.items():
        uow.cases.set_item_status(case.case_id, item_code, item_status)


def _remember_licenses(uow: UnitOfWork, case, event: Event, catalog: Catalog) -> None:
    """E-licenses a case earned count as supplied materials in the holder's later cases."""
    item = catalog.items.get(event.payload.item_code)
    if item is None or not item.license_type or not case.holder_id:
        return
    for number in event.payload.licenses:
        uow.cases.remember_license(number, case.holder_id, item.license_type, None)


def _item_changes(event: Event) -> list[tuple[str, str]]:
    """(item, status) pairs the event moves forward."""
    if event.event_type == "approval_requested":
        return [(event.payload.item_code, "requested")]
    if event.event_type == "approval_decided":
        return [(event.payload.item_code, event.payload.decision)]
    if event.event_type == "approval_cancelled":
        return [(event.payload.item_code, "cancelled")]
    if event.event_type == "case_rejected":
        return [(code, "cancelled") for code in event.payload.cancelled_items]
    return []


def store_file(uow: UnitOfWork, blobs, stream, content_type: str, declared_sha256: str | None,
               client: str) -> dict:
    stored = blobs.save(stream, content_type, declared_sha256)
    uow.cases.add_file(file_ref=stored.file_ref, sha256=stored.sha256, size=stored.size,
                       content_type=stored.content_type, client=client)
    uow.commit()
    return {"file_ref": stored.file_ref, "sha256": stored.sha256, "size": stored.size,
            "content_type": stored.content_type}
