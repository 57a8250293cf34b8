"""E-licenses (电子证照): what an approval issues into the registry, and how a document is verified."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Callable, Sequence

from services.approval import license_changes, seals
from services.approval.seals import SealKey
from shared.catalog import Catalog
from shared.config import ApprovalSettings
from shared.events import LicenseTerms


def license_number(department_key: str, issued_on: date, request_id: str) -> str:
    """Stable per request, so issuing twice is impossible: <department key>-<date>-<8 hex>."""
    digest = hashlib.sha256(request_id.encode("utf-8")).hexdigest()[:8].upper()
    return f"{department_key}-{issued_on:%Y%m%d}-{digest}"


def valid_until(issued_on: date, license_type: str, terms: LicenseTerms | None,
                settings: ApprovalSettings) -> date | None:
    """The department's date, else the configured years (0: long-term, None)."""
    if terms and terms.valid_until:
        return terms.valid_until
    years = settings.validity_years.get(license_type, settings.default_validity_years)
    if years == 0:
        return None
    try:
        return issued_on.replace(year=issued_on.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def issue(request: dict, terms: LicenseTerms | None, catalog: Catalog, issued_on: date,
          settings: ApprovalSettings, signing_key: Callable[[str], SealKey]) -> dict | None:
    """The registry row of the license an approved request issues, sealed with the department's current key
    (`signing_key(department)`, asked only when a license is issued); None when it issues none."""
    if not request.get("license_type") or not request.get("holder_id") or (terms and not terms.issue):
        return None
    department = catalog.departments.get(request["department"])
    key = department.key if department else request["department"].upper()
    until = valid_until(issued_on, request["license_type"], terms, settings)
    content = {"number": license_number(key, issued_on, request["request_id"]),
               "license_type": request["license_type"], "title": request["item_name"],
               "holder_id": request["holder_id"], "holder_name": request.get("holder_name"),
               "issuing_department": request["department"],
               "issuing_department_name": department.name if department else request["department"],
               "unit": request.get("unit"), "issued_on": issued_on.isoformat(),
               "valid_until": until.isoformat() if until else None, "case_id": request["request_id"].split(":")[0],
               "item_code": request["item_code"], "remarks": terms.remarks if terms else ""}
    return {"number": content["number"], "holder_id": content["holder_id"], "license_type": content["license_type"],
            "department": content["issuing_department"], "request_id": request["request_id"],
            "case_id": content["case_id"], "issued_on": issued_on, "valid_until": until, "status": "valid",
            "content": content, "seal": seals.seal(content, signing_key(content["issuing_department"]))}


def verify_document(document: dict, registered, keys: list[SealKey], today: date,
                    changes: Sequence[dict] = ()) -> dict:
    """Is this document sealed by one of its department's keys (`keys`, from this deployment's key store: the
    record's own claims are not trusted), the one in the registry, valid today, and never revoked or replaced?
    `changes` are the registry's sealed change records; those the document carries are checked as well: one
    forged or altered record fails the verification."""
    content, record = document.get("content") or {}, document.get("seal") or {}
    department = content.get("issuing_department") or ""
    problem = seals.check(content, record, keys, _date(content.get("issued_on"))) if department else "no_department"
    sealed = problem is None
    matches = registered is not None and registered.content == content
    until = content.get("valid_until")
    in_force = until is None or (_date(until) or date.min) >= today
    number = str(content.get("number") or "")
    shown = [license_changes.summary(number, c, keys) for c in changes]
    carried = [license_changes.summary(number, c, keys) for c in document.get("changes") or [] if isinstance(c, dict)]
    records_valid = all(c["record_valid"] for c in shown + carried)
    status = _status(registered, shown)
    return {"number": content.get("number"), "seal_valid": sealed, "seal_key_id": record.get("key_id"),
            "seal_problem": problem, "registered": matches, "status": status, "in_force": in_force,
            "records_valid": records_valid,
            "valid": sealed and matches and status == "valid" and in_force and records_valid,
            "issuing_department": department, "license_type": content.get("license_type"),
            "valid_until": until, "replaces": content.get("replaces"), "changes": shown,
            **_last_change(shown)}


def _status(registered, shown: list[dict]) -> str:
    """The registry's status; a verified record of revocation or replacement prevails over a row saying valid."""
    status = registered.status if registered is not None else "unregistered"
    by_records = license_changes.status_of(shown)
    return by_records if status == "valid" and by_records != "valid" else status


def _last_change(shown: list[dict]) -> dict:
    last = shown[-1] if shown else {}
    return {"changed_on": last.get("changed_on"), "change_reason": last.get("reason"),
            "replaced_by": next((c["replaced_by"] for c in reversed(shown) if c["replaced_by"]), None)}


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
