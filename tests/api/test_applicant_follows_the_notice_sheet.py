"""Issue 18, tried as an applicant would: read the served one-time notice sheet, bring exactly what it lists as
申请人提供, fill the published form, apply as one of the demo library's sample people or companies
(docs/demo-library.md) — and be accepted, with no correction notice, for every matter."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
import requests

from yici_testkit import AUTH, sample_value, upload

DEMO_PEOPLE = {"王建国": "152727198803152016", "李秀英": "152727199007082429", "赵志强": "152727195504121013",
               "孙丽华": "152727196211202025", "刘宝音": "152727197806184019"}
TRADING = {"kind": "company", "name": "乌审旗草原阳光商贸有限公司", "credit_code": "91150626MA0N1A2B3F",
           "legal_representative": "刘宝音", "phone": "13904771234"}
RESTAURANT = {"kind": "company", "name": "乌审旗宝音风味餐馆", "credit_code": "92150626MA0N1A2B3C",
              "legal_representative": "刘宝音", "phone": "13904771234"}
APPLICANTS = {
    "after-death": "孙丽华", "disability-services": "赵志强", "newborn": "王建国", "retirement": "赵志强",
    "school-enrolment": "李秀英", "second-hand-home-transfer": "孙丽华", "veteran-discharge": "王建国",
    "bankruptcy-check": TRADING, "company-change": TRADING, "company-deregistration": TRADING,
    "construction-permit": TRADING, "utility-connection": TRADING,
    "open-restaurant": RESTAURANT, "sole-trader-to-company": RESTAURANT, "personal-startup": RESTAURANT,
    "social-security-card-services": "李秀英", "vehicle-trade-in-subsidy": "王建国",
    "employee-hiring": TRADING,
    "open-transport-company": {"kind": "company", "name": "乌审旗顺达道路运输有限公司",
                               "credit_code": "91150626MA0N3C4D9D", "legal_representative": "刘宝音",
                               "phone": "13904771234"},
    "credit-repair": {"kind": "company", "name": "乌审旗顺达道路运输有限公司", "credit_code": "91150626MA0N3C4D9D",
                      "legal_representative": "刘宝音", "phone": "13904771234"},
    "open-sports-venue": {"kind": "company", "name": "乌审旗草原健身游泳馆有限公司",
                          "credit_code": "91150626MA0N5E6F49", "legal_representative": "刘宝音",
                          "phone": "13904771234"},
    # a company being founded has no credit code yet: its founder applies with his ID number
    "company-opening": {"kind": "company", "name": "乌审旗宝音新能源有限公司（设立中）",
                        "id_number": DEMO_PEOPLE["刘宝音"], "legal_representative": "刘宝音",
                        "phone": "13904771234"},
}


class MaterialRows(HTMLParser):
    """The rows of the sheet's table of materials, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_cell = False
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "materials" in (dict(attrs).get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")
        elif self._in_cell and tag == "div":
            self._depth += 1  # the acceptance conditions under a material's name

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag == "td":
            self._in_cell = False
        elif tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._in_cell and not self._depth:
            self.rows[-1][-1] += data.strip()


def _applicant(matter: str) -> dict:
    who = APPLICANTS[matter]
    if isinstance(who, dict):
        return who
    return {"kind": "person", "name": who, "id_number": DEMO_PEOPLE[who], "phone": "13904771234"}


def _what_the_sheet_asks(base: str, matter: str) -> list[str]:
    """The names of the materials the served sheet says the applicant provides in every situation."""
    sheet = requests.get(f"{base}/guides/{matter}/notice/index.html", timeout=30)
    assert sheet.status_code == 200
    assert "除本单所列外，不会要求您提交其他材料" in sheet.text
    parser = MaterialRows()
    parser.feed(sheet.text)
    rows = [r for r in parser.rows if r]
    assert rows, "the sheet lists no materials"
    # columns: 序号, 材料名称, 形式及份数, 来源, 容缺受理, 适用情形, 已收
    return [r[1] for r in rows if r[3] == "申请人提供" and r[5] == "所有情形"]


@pytest.mark.parametrize("matter", sorted(APPLICANTS))
def test_an_applicant_following_the_notice_sheet_is_accepted_without_a_notice(embedded, matter):
    base = embedded.url("")
    names = _what_the_sheet_asks(base, matter)
    listed = requests.get(f"{base}/api/v1/matters/{matter}", timeout=30).json()["materials"]
    codes = {m["name"]: m["code"] for m in listed}
    stored = upload(base).json()
    form = requests.get(f"{base}/api/v1/matters/{matter}/form", timeout=30).json()
    summary = next(m for m in requests.get(f"{base}/api/v1/matters", timeout=30).json()["matters"]
                   if m["code"] == matter)
    body = {"matter_code": matter, "channel": summary["channels"][0], "region_code": "150626", "applicant": _applicant(matter),
            "situations": [], "form": {k: sample_value(v) for k, v in form["properties"].items()},
            "materials": [{"code": codes[n], "file_ref": stored["file_ref"], "sha256": stored["sha256"]}
                          for n in names],
            "delivery": {"method": "pickup", "hall": "乌审旗政务服务大厅"}}
    response = requests.post(f"{base}/api/v1/cases", data=json.dumps(body),
                             headers={**AUTH, "Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 201, response.text
    case = requests.get(f"{base}/api/v1/cases/{response.json()['case_id']}", headers=AUTH, timeout=30).json()
    assert case["notice"] is None, case["notice"]
    assert case["status"] in ("accepted", "in_approval", "completed", "delivered")
    fetched = [m["code"] for m in listed if m["source"] != "applicant" and m["situations"] == []]
    assert set(fetched) <= set(case["material_sources"])
    assert set(case["material_sources"].values()) <= {"registry", "demo-library", "demo-exchange"}


def test_qr_codes_follow_the_port_the_suite_runs_on_when_no_public_base_url_is_configured(embedded):
    """The sheet's QR code must reach the guide: with public_base_url unset, it is the server's own address."""
    svg = requests.get(embedded.url("/guides/newborn/qr.svg"), timeout=30)
    assert svg.status_code == 200
    assert f"http://127.0.0.1:{embedded.port}/guides/newborn" in svg.text
