"""What the need-to-know and audit tests share: a company's case with an issued license, and the roles' tokens."""
from __future__ import annotations

import requests
from integration.approval_kit import department_auth

from yici_testkit import AUTH, CLERK, SUPERVISOR_TOKEN, case_body, submit, wait_for

SUPERVISOR = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}
HOLDER = "91150626MA0N01019K"
APPLICANT = {"kind": "company", "name": "乌审旗审计测试有限公司", "credit_code": HOLDER, "phone": "13900139001"}
OUTSIDER, ISSUER, TAX = "natural-resources", "market-regulation", "tax"  # no item; the license's; worklist
__all__ = ["AUTH", "CLERK", "SUPERVISOR", "HOLDER", "OUTSIDER", "ISSUER", "TAX", "department_auth"]


def licenses(suite, headers: dict, **params) -> requests.Response:
    return requests.get(suite.url("/api/v1/licenses"), params={"holder": HOLDER, **params}, headers=headers,
                        timeout=10)


def company_case(suite) -> tuple[str, dict]:
    """A company-opening case of HOLDER, once its business license is in the registry: (case id, license)."""
    response = submit(suite.url(""), case_body("company-opening", applicant=APPLICANT))
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]

    def issued():
        found = licenses(suite, CLERK, purpose="test: license issued").json()["licenses"]
        return next((lic for lic in found if lic["case_id"] == case_id), None)
    return case_id, wait_for(issued, timeout=30, what="the business license issued")


def audit(suite, **params) -> list[dict]:
    response = requests.get(suite.url("/api/v1/audit"), params=params, headers=SUPERVISOR, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["entries"]
