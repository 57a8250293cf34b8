"""The written decision of a rejection (不予许可决定书): its content, numbered per request, sealed by the deciding
department like an e-license (seals.py), so that its seal verifies with the department's public keys."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Callable

from services.approval import seals
from services.approval.seals import SealKey
from shared.catalog import Catalog

TITLE = "不予行政许可决定书"
REMEDIES = [
    {"kind": "administrative_reconsideration", "zh": (
        "如不服本决定，可以自收到本决定书之日起六十日内，向本级人民政府或者上一级主管部门申请行政复议"),
     "en": "administrative reconsideration within 60 days of receipt, to the people's government at this level "
           "or the competent department one level up", "within": "60 days"},
    {"kind": "administrative_litigation", "zh": "也可以自收到本决定书之日起六个月内，依法向人民法院提起行政诉讼",
     "en": "or an administrative lawsuit before the people's court within 6 months of receipt", "within": "6 months"},
]


def document_number(department_key: str, decided_on: date, request_id: str) -> str:
    """Stable per request (a rejection is recorded once): <department key>-BYXK-<date>-<8 hex>."""
    digest = hashlib.sha256(f"decision:{request_id}".encode("utf-8")).hexdigest()[:8].upper()
    return f"{department_key}-BYXK-{decided_on:%Y%m%d}-{digest}"


def rejection_document(request: dict, reasons: list[str], legal_basis: str, catalog: Catalog, decided_on: date,
                       signing_key: Callable[[str], SealKey]) -> dict:
    """The decision's content (reasons, legal basis, remedies, department, date) and the department's seal."""
    department = catalog.departments.get(request["department"])
    key = department.key if department else request["department"].upper()
    content = {"number": document_number(key, decided_on, request["request_id"]), "title": TITLE,
               "case_id": request["request_id"].split(":")[0], "item_code": request["item_code"],
               "item_name": request.get("item_name", ""), "issuing_department": request["department"],
               "issuing_department_name": department.name if department else request["department"],
               "unit": request.get("unit"), "issued_on": decided_on.isoformat(), "decision": "rejected",
               "reasons": list(reasons), "legal_basis": legal_basis, "remedies": REMEDIES}
    return {"content": content, "seal": seals.seal(content, signing_key(content["issuing_department"]))}


def verify(document: dict, keys: list[SealKey]) -> str | None:
    """None when the seal signs exactly this content with one of its department's keys; else why not."""
    content = document.get("content") or {}
    return seals.check(content, document.get("seal") or {}, keys, _date(content.get("issued_on")))


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
