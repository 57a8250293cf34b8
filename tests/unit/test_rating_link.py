"""The completion texts carry the status page where the case is rated; other texts do not."""
from __future__ import annotations

from datetime import date

from services.delivery.templates import render
from services.intake import notices
from shared.events import RectificationClosed

LINK = "https://zwfw.example/track/YC-1?code=ABCDEFGHJKLM"
SIGNATURE = "【乌审旗政务服务】"


def test_the_completion_texts_end_with_the_rating_link():
    pickup = render("pickup_ready", SIGNATURE, matter_name="开办餐饮店一件事", case_id="YC-1", pickup_code="12345678",
                    hall="乌审旗政务服务大厅", opening_hours="周一至周五", track_url=LINK)
    assert pickup.endswith("查询进度及评价：" + LINK)
    online = render("online_ready", SIGNATURE, matter_name="m", case_id="YC-1", expires_on="2027-01-01",
                    download_url="https://d", track_url=LINK)
    assert online.endswith(LINK) and "https://d 查询进度" in online  # a space ends the download link


def test_other_texts_and_cases_without_a_link_are_unchanged():
    rejection = render("rejection_notice_only", SIGNATURE, matter_name="m", case_id="YC-1", reasons="r", hall="h",
                       opening_hours="o", track_url=LINK)
    assert LINK not in rejection
    assert "评价" not in render("pickup_ready", SIGNATURE, matter_name="m", case_id="YC-1", pickup_code="1",
                                hall="h", opening_hours="o", track_url=None)


def test_the_applicant_view_keeps_what_the_department_did():
    closed = RectificationClosed(case_id="YC-1", payload={
        "task_id": "RT-YC-1", "department": "tax", "department_name": "国家税务总局乌审旗税务局",
        "note": "已整改", "closed_on": date(2026, 3, 5), "closed_by": "department"})
    assert notices.outcome({"licenses": []}, closed) == {"licenses": [], "rectification": {
        "department": "国家税务总局乌审旗税务局", "note": "已整改", "closed_on": "2026-03-05"}}
