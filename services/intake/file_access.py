"""Who may read an uploaded material: the client that uploaded it, and each department that was requested an item
of a case holding it (now or before: intake records every approval_requested's files, and never forgets them).
Another department's or client's file is as unknown as none (404)."""
from __future__ import annotations

from shared.config import Client
from shared.errors import NotFound
from shared.events import ApprovalRequested
from shared.file_links import LinkClaims
from shared.messaging import UnitOfWork


def grant(uow: UnitOfWork, events: list[ApprovalRequested]) -> None:
    """Each request lets its department read the files of the case's materials it carries."""
    grants = {(m["file_ref"], e.payload.department, e.case_id) for e in events for m in e.payload.materials
              if isinstance(m.get("file_ref"), str) and m["file_ref"]}
    uow.cases.grant_files([{"file_ref": f, "department": d, "case_id": c} for f, d, c in sorted(grants)])


def readable(uow: UnitOfWork, ref: str, client: Client) -> tuple[object, str, str | None]:
    """The file, the case it is read through ("" for its uploader) and that case's holder; else NotFound."""
    found = uow.cases.file(ref)
    if found is None:
        raise NotFound("file_ref", ref)
    if client.role == "department" and client.department:
        cases = uow.cases.granted_cases(ref, client.department)
        if cases:
            return found, cases[0], _holder(uow, cases[0])
    elif found.client == client.name:
        return found, "", None
    raise NotFound("file_ref", ref)


def by_link(uow: UnitOfWork, ref: str, claims: LinkClaims) -> tuple[object, str, str | None]:
    """The file a (verified) link opens: signed by routing for this file, case and department only."""
    found = uow.cases.file(ref)
    if found is None:
        raise NotFound("file_ref", ref)
    return found, claims.case_id, _holder(uow, claims.case_id)


def _holder(uow: UnitOfWork, case_id: str) -> str | None:
    case = uow.cases.get(case_id)
    return case.holder_id if case is not None else None
