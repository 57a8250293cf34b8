"""Intake's use cases: take a case in once, pre-review it, one notice, supplements, acceptance, withdrawal."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable

from services.intake import acceptance, commitments, file_access, notices
from services.intake.commands import ClerkNotice, SubmitCase, Supplement, Withdrawal
from services.intake.domain import (
    OPEN_STATUSES,
    check_hall,
    check_replay,
    check_submission,
    foreign_files,
    form_id_number_problems,
    holder_kind,
    holder_of,
    lookup_code_matches,
    merge_materials,
    new_case_id,
    new_lookup_code,
    request_hash,
)
from services.intake.following import follow_events
from services.intake.library import Chain, configured_chain
from services.intake.license_memory import follow_license_changes
from services.intake.review import Deficiency
from shared import attempts
from shared.attempts import Attempt, Limits
from shared.catalog import Catalog, default_catalog
from shared.config import AttemptSettings, DeliverySettings, IntakeSettings, Settings
from shared.errors import Conflict, Invalid, NotFound
from shared.events import (
    ApprovalRequested,
    CaseSubmitted,
    CaseWithdrawn,
    Event,
    LicenseChanged,
    SupplementProvided,
)
from shared.messaging import UnitOfWork, utcnow
from shared.workdays import WorkingCalendar, today_in_shanghai


@dataclass(frozen=True)
class Context:
    """What intake's use cases read besides the unit of work."""
    catalog: Catalog
    settings: IntakeSettings
    calendar: WorkingCalendar
    today: Callable[[], date]
    halls: tuple[str, ...] = tuple(DeliverySettings().known_halls())
    attempt_limits: Limits = AttemptSettings().limits()
    now: Callable[[], datetime] = utcnow
    sources: Chain | None = None  # the external library and exchange; None: as intake.library configures
    home: str = "150626"  # the banner this deployment serves (routing.home_region)

    @classmethod
    def build(cls, settings: Settings) -> "Context":
        return cls(default_catalog(), settings.intake, settings.calendar(), today_in_shanghai,
                   tuple(settings.delivery.known_halls()), settings.attempts.limits(),
                   home=settings.routing.home_region)

    def taking_point(self, code: str | None) -> dict | None:
        """What the case keeps of its taking point (checked before), or None."""
        point = self.settings.points().get(code) if code else None
        return point.as_record() if point else None

    def library(self) -> Chain:
        return self.sources if self.sources is not None else configured_chain(self.settings.library)


def submit_case(uow: UnitOfWork, command: SubmitCase, client: str, idempotency_key: str | None,
                context: Context, for_clerk: bool = False) -> tuple[int, str]:
    """Store the case once, pre-review it and either accept it or send one correction notice.

    A repeated Idempotency-Key (of the same client: each client has its own keys) answers with the case it
    made (200), refused when the body differs. `for_clerk`: taken at the window workbench, the case waits for
    the clerk who took it to accept it or issue the notice (as on a channel of intake.manual_review_channels)."""
    digest = request_hash(command)
    existing = uow.cases.by_idempotency_key(client, idempotency_key) if idempotency_key else None
    if existing is not None:
        check_replay(existing, digest)
        return 200, existing.case_id
    matter, warnings = check_submission(context.catalog, command, context.settings.points(), context.home)
    _check_attachments(uow, command.materials, {client}, command.delivery.hall, context)
    today = context.today()
    case_id = new_case_id(today)
    row = _case_row(case_id, command, context, matter, client, idempotency_key, digest, warnings, today)
    case = uow.cases.add(row, _item_rows(case_id, context.catalog.items_for(matter.code, command.situations)))
    uow.emit(CaseSubmitted(case_id=case_id, payload={
        "matter_code": matter.code, "channel": command.channel, "region_code": command.region_code,
        "catalog_version": context.catalog.version, "taking_point": case.taking_point}))
    if command.channel not in context.settings.manual_review_channels and not for_clerk:
        acceptance.decide(uow, case, None, context)
    return 201, case_id


def _check_attachments(uow: UnitOfWork, materials, allowed: set[str], hall: str | None, context: Context) -> None:
    """Files only of the clients allowed to use them; a pickup hall the county named."""
    owners = uow.cases.file_owners([m.file_ref for m in materials if m.file_ref])
    problems = foreign_files(materials, owners, allowed) + check_hall(hall, context.halls)
    if problems:
        raise Invalid(problems)


def _case_row(case_id, command, context, matter, client, key, digest, warnings, today) -> dict:
    body = command.model_dump(mode="json")
    return {"case_id": case_id, "idempotency_key": key, "request_hash": digest,
            "lookup_code": new_lookup_code(), "matter_code": matter.code,
            "catalog_version": context.catalog.version, "status": "submitted", "channel": command.channel,
            "region_code": command.region_code, "client": client, "applicant": body["applicant"],
            "holder_id": holder_of(command.applicant), "holder_kind": holder_kind(command.applicant), "situations": body["situations"], "form": body["form"],
            "materials": body["materials"], "delivery": body["delivery"], "commitment": command.commitment,
            "warnings": warnings, "submitted_on": today, "promised_days": matter.promised_days,
            "notices": [], "deferred": [], "due_provisional": False,
            "taking_point": context.taking_point(command.taking_point), "language": command.language}


def _item_rows(case_id: str, items) -> list[dict]:
    return [{"case_id": case_id, "item_code": i.code, "position": n, "name": i.name,
             "department": i.department, "status": "pending"} for n, i in enumerate(items)]


def supply(uow: UnitOfWork, case_id: str, supplement: Supplement, context: Context, client: str,
           role: str = "frontend", witness: str | None = None) -> None:
    """Supplements answer the notice (reviewed again; refused once its deadline passed) or bring deferred
    materials after acceptance, also after completion. Files are the supplying client's own, or (for a clerk)
    the case's client's. `witness`: the clerk before whom the applicant signed the commitment the answer gives."""
    case = _get(uow, case_id)
    if witness and supplement.commitment and case.status == "correction_requested":
        uow.cases.update(case_id, commitment_witness=f"clerk:{witness}")
    _check_attachments(uow, supplement.materials, {client, case.client} if role == "clerk" else {client}, None,
                       context)
    if problems := form_id_number_problems(context.catalog, supplement.form):
        raise Invalid(problems)
    supplied = supplement.model_dump(mode="json")
    approving = case.status in ("accepted", "in_approval")
    suspended = _suspended_item(uow, case_id, supplement.item_code) if approving else None
    commitments.refuse_late(case, context.today())
    if case.status == "correction_requested":
        _answer_notice(uow, case, supplied, context)
    elif suspended:
        _supply_department(uow, case, suspended, supplied, context.today())
    elif commitments.expects_deferred(case):
        commitments.supply_deferred(uow, case, supplied, context.today())
    else:
        raise Conflict("status", "supplement_not_expected", "该办件当前无需补正", "this case expects no supplement now")


def _answer_notice(uow: UnitOfWork, case, supplied: dict, context: Context) -> None:
    """Reviewed again; a later notice may only speak of the earlier notice and of what was supplied. With the
    commitment the notice offers, the deferrable materials still missing are accepted deferred."""
    uow.cases.update(case.case_id, form={**case.form, **supplied["form"]},
                     materials=merge_materials(case.materials, supplied["materials"]),
                     commitment=case.commitment or supplied.get("commitment", False))
    allowed = notices.targets(case.notice) | notices.touched(supplied)
    acceptance.decide(uow, uow.cases.get(case.case_id), allowed, context)


def _suspended_item(uow: UnitOfWork, case_id: str, item_code: str | None) -> str | None:
    """The item a department suspended for a supplement (the named one, or the only one)."""
    waiting = [i.item_code for i in uow.cases.items(case_id) if i.status == "supplement_requested"]
    if item_code is not None:
        return item_code if item_code in waiting else None
    return waiting[0] if len(waiting) == 1 else None


def _supply_department(uow: UnitOfWork, case, item_code: str, supplied: dict, today: date) -> None:
    uow.cases.update(case.case_id, form={**case.form, **supplied["form"]},
                     materials=merge_materials(case.materials, supplied["materials"]))
    commitments.mark_supplied(uow, case, supplied["materials"], today)
    uow.cases.set_item_status(case.case_id, item_code, "requested")
    uow.emit(SupplementProvided(case_id=case.case_id, payload={
        "item_code": item_code, "request_id": f"{case.case_id}:{item_code}", "form": supplied["form"],
        "materials": supplied["materials"], "note": supplied.get("note", "")}))


def withdraw(uow: UnitOfWork, case_id: str, withdrawal: Withdrawal) -> None:
    case = _get(uow, case_id)
    if case.status not in OPEN_STATUSES:
        raise Conflict("status", "not_withdrawable", "办件已办结或已撤回，不能撤回",
                       f"a {case.status} case cannot be withdrawn")
    uow.cases.update(case_id, status="withdrawn")
    uow.emit(CaseWithdrawn(case_id=case_id, payload={"reason": withdrawal.reason}))


def clerk_accept(uow: UnitOfWork, case_id: str, clerk: str, context: Context, commitment: bool = False) -> None:
    """The clerk accepts the case. `commitment`: the applicant signed the commitment (承诺) at the window, in the
    clerk's presence: the deferrable materials still missing are accepted deferred, and the clerk is recorded as
    its witness."""
    case = _waiting(uow, case_id, ("submitted", "correction_requested"), "该办件不在待审状态",
                    "a {status} case is not waiting for review")
    if commitment:
        uow.cases.update(case_id, commitment=True, commitment_witness=f"clerk:{clerk}")
        case = uow.cases.get(case_id, for_update=True)
    deferred = acceptance.pre_review(uow, case, context).deferred
    acceptance.accept(uow, case, context.today(), f"clerk:{clerk}", deferred, context)


def clerk_notice(uow: UnitOfWork, case_id: str, notice: ClerkNotice, context: Context) -> None:
    case = _waiting(uow, case_id, ("submitted",), "只能对待审办件出具补正告知",
                    "only a submitted case can get a clerk's notice")
    deficiencies = [Deficiency(d.target, "clerk", d.message_zh, d.message_en or d.message_zh)
                    for d in notice.deficiencies]
    acceptance.send_notice(uow, case, deficiencies, context)


def accept_overdue(uow: UnitOfWork, context: Context) -> list[str]:
    """Art. 32: a case not reviewed in time counts as accepted from the day its materials arrived."""
    today, accepted = context.today(), []
    for (case_id,) in uow.cases.submitted_before(today):
        case = uow.cases.get(case_id, for_update=True)
        if context.calendar.workdays_between(case.submitted_on, today) >= context.settings.review_deadline_days:
            deferred = acceptance.pre_review(uow, case, context).deferred
            acceptance.accept(uow, case, case.submitted_on, "rule:art-32", deferred, context)
            accepted.append(case_id)
    return accepted


def retry_lookups(uow: UnitOfWork, context: Context) -> list[str]:
    """Cases held for a library that was down: look them up again (one notice or acceptance once it answers,
    or once `hold_minutes` have passed)."""
    retried = []
    for (case_id,) in uow.cases.held_for_lookup():
        case = uow.cases.get(case_id, for_update=True)
        if case is not None and case.lookup_pending and case.status in ("submitted", "correction_requested"):
            acceptance.retry_held(uow, case, context)
            retried.append(case_id)
        elif case is not None:
            uow.cases.update(case_id, lookup_pending=False)
    return retried


def record_file(uow: UnitOfWork, stored, client: str) -> dict:
    """An uploaded material, kept in the blob store, recorded so pre-review can check references to it."""
    uow.cases.add_file(file_ref=stored.file_ref, sha256=stored.sha256, size=stored.size,
                       content_type=stored.content_type, client=client)
    return {"file_ref": stored.file_ref, "sha256": stored.sha256, "size": stored.size,
            "content_type": stored.content_type}


def look_up(uow: UnitOfWork, case_id: str, lookup_code: str, attempt: Attempt, now: float,
            context: Context) -> str | None:
    """The case a public status page may show, when the code is right; a wrong one (or an unknown case) is
    counted against the client and the case, and None is returned (refused once that is committed)."""
    attempts.check(uow.attempts, context.attempt_limits, attempt, now)
    case = uow.cases.get(case_id)
    if case is not None and lookup_code_matches(lookup_code, case.lookup_code):
        return str(case.case_id)
    attempts.failed(uow.attempts, context.attempt_limits, replace(attempt, label=case_id if case else ""), now)
    return None


def handle_batch(uow: UnitOfWork, events: list[Event], context: Context) -> None:
    """Intake's one entry for events: the applicant's view follows them (see following.py), the license memory
    follows the registry's changes (license_memory.py), departments are let read the materials of the items
    requested of them (file_access.py)."""
    changed = [e for e in events if isinstance(e, LicenseChanged)]
    follow_license_changes(uow, changed)
    file_access.grant(uow, [e for e in events if isinstance(e, ApprovalRequested)])
    rest = [e for e in events if not isinstance(e, LicenseChanged)]
    if rest:
        follow_events(uow, rest, context.catalog)


def _get(uow: UnitOfWork, case_id: str):
    case = uow.cases.get(case_id, for_update=True)
    if case is None:
        raise NotFound("case_id", case_id)
    return case


def _waiting(uow: UnitOfWork, case_id: str, statuses: tuple[str, ...], message_zh: str, message_en: str):
    """The (locked) case, refused unless it waits in one of `statuses` for the window."""
    case = _get(uow, case_id)
    if case.status not in statuses:
        raise Conflict("status", "not_waiting", message_zh, message_en.format(status=case.status))
    return case
