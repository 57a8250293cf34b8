"""SMS in traditional Mongolian (ADR 0030): sent in the applicant's language, within the gateway's segments
(UCS-2: 70 characters alone, 67 per part concatenated; GSM 7-bit: 160 and 153), links never cut."""
from __future__ import annotations

import pytest

from services.delivery import segments
from services.delivery.templates import LICENSE_CHANGES, TEMPLATES, render
from shared.events import CaseAccepted, CorrectionRequested
from shared.i18n import has_mongolian, translate_in
from test_delivery_support import NAME, PHONE, world  # noqa: F401

MONGOLIAN = "ᠮᠣᠩᠭᠣᠯ"  # six letters, U+1800–U+18AF


@pytest.mark.parametrize("text, coding, length, parts", [
    ("a" * 160, "gsm7", 160, 1), ("a" * 161, "gsm7", 161, 2), ("a" * 306, "gsm7", 306, 2), ("a" * 307, "gsm7", 307, 3),
    ("{" * 80, "gsm7", 160, 1), ("中" * 70, "ucs2", 70, 1), ("中" * 71, "ucs2", 71, 2), ("中" * 134, "ucs2", 134, 2),
    ("中" * 135, "ucs2", 135, 3), ("ᠠ" * 70, "ucs2", 70, 1), ("ᠠ" * 71, "ucs2", 71, 2), ("a" * 159 + "ᠠ", "ucs2", 160, 3),
])
def test_segments_follow_the_gateway_s_encoding_and_sizes(text, coding, length, parts):
    assert (segments.encoding(text), segments.length(text), segments.count(text)) == (coding, length, parts)
    split = segments.split(text)
    assert "".join(split) == text and all(segments.length(p) <= (67 if coding == "ucs2" else 153)
                                          for p in split[:-1] if len(split) > 1)


def test_a_concatenated_mongolian_text_is_split_at_67_characters_and_never_inside_a_surrogate_pair():
    text = MONGOLIAN * 20  # 120 characters
    assert [len(p) for p in segments.split(text)] == [67, 53]
    wide = "ᠠ" * 66 + "😀" + "ᠠ" * 10  # an emoji takes two UCS-2 units: it does not fit the first part
    first, second = segments.split(wide)
    assert first == "ᠠ" * 66 and second.startswith("😀")


VALUES = {"matter_name": "二手房转移登记及水电气网联动过户一件事", "case_id": "YC20260302000123", "pickup_code": "483920",
          "hall": "乌审旗政务服务大厅", "opening_hours": "工作日 9:00-17:00", "courier": "中国邮政EMS",
          "tracking_number": "1187654321098", "expires_on": "2026-04-01",
          "download_url": "https://yici.example/api/v1/downloads/eyJjYXNlIjoiWUMifQ.c2ln",
          "document_number": "SCJG-BYXK-20260302-0A1B2C3D", "how": "免费邮寄", "decision_url":
          "https://yici.example/track/YC20260302000123/decision?code=ABCDEFGHJKLM", "reasons": "经营场所不符合要求" * 20,
          "due_date": "2026-03-16", "track_url": "https://yici.example/track/YC20260302000123?code=ABCDEFGHJKLM",
          "item_name": "食品经营许可（新办）", "count": 12, "summary": "缺少租赁合同；经营面积填写有误" * 20,
          "materials": "食品安全管理制度、招牌设置位置现状照片" * 10, "license_name": "食品经营许可证",
          "number": "SCJG-20260302-1", "what": translate_in("mn", LICENSE_CHANGES["replaced"]).format(
              changed_on="2026-03-09", replaced_by="SCJG-20260309-2")}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_text_in_mongolian_names_the_matter_in_mongolian_and_fits_the_gateway(template):
    text = render(template, "【乌审旗政务服务】", "mn", **VALUES)
    assert has_mongolian(text) and "二手房转移登记" not in text  # the catalog name went Mongolian too
    assert segments.count(text) <= segments.MAX_SEGMENTS, (template, segments.count(text))
    for link in ("download_url", "decision_url", "track_url"):
        if "{" + link + "}" in TEMPLATES[template]:
            assert VALUES[link] in text  # links are never shortened


def test_the_free_part_is_shortened_only_as_much_as_the_segments_need():
    short = render("correction_notice", "【乌审旗政务服务】", "mn", **{**VALUES, "summary": "缺少租赁合同"})
    assert "缺少租赁合同" in short and "…" not in short
    long = render("correction_notice", "【乌审旗政务服务】", "mn", **VALUES)
    assert "…" in long and segments.count(long) == segments.MAX_SEGMENTS
    assert segments.count(render("correction_notice", "【乌审旗政务服务】", "mn", **{**VALUES, "summary": VALUES["summary"][
        :len(VALUES["summary"]) // 2]})) <= segments.MAX_SEGMENTS


def test_chinese_texts_are_unchanged_by_the_language_machinery():
    values = {**VALUES, "summary": "缺少租赁合同"}
    text = render("correction_notice", "【乌审旗政务服务】", **values)
    assert text == "【乌审旗政务服务】" + TEMPLATES["correction_notice"].format(**values)
    assert render("correction_notice", "【乌审旗政务服务】", "fr", **values) == text


def accepted(case_id: str, language: str) -> CaseAccepted:
    return CaseAccepted(case_id=case_id, payload={
        "matter_code": "open-restaurant", "matter_name": "开办餐饮店一件事", "catalog_version": "1",
        "channel": "online", "region_code": "150626", "promised_days": 10, "accepted_on": "2026-03-02",
        "due_date": "2026-03-16", "lookup_code": "ABCDEFGHJKLM",
        "items": [{"item_code": "business-registration", "item_name": "营业执照", "department": "market-regulation"}],
        "delivery": {"method": "pickup", "hall": "乌审旗政务服务大厅"},
        "contact": {"name": NAME, "phone": PHONE, "language": language}})


def test_delivery_texts_the_applicant_in_the_language_stored_with_the_case(world):
    world.consume(accepted("YC-MN1", "mn"))
    world.consume(accepted("YC-ZH1", "zh"))
    [mongolian] = [n.text for n in world.notifications("YC-MN1") if n.template == "acceptance_notice"]
    [chinese] = [n.text for n in world.notifications("YC-ZH1") if n.template == "acceptance_notice"]
    assert has_mongolian(mongolian) and "/track/YC-MN1?code=ABCDEFGHJKLM" in mongolian and "开办餐饮店" not in mongolian
    assert not has_mongolian(chinese) and "开办餐饮店一件事" in chinese
    world.consume(CorrectionRequested(case_id="YC-MN1", payload={
        "notice_id": "YC-MN1-N1", "due_date": "2026-03-09", "matter_code": "open-restaurant",
        "contact": {"name": NAME, "phone": PHONE, "language": "mn"},
        "deficiencies": [{"target": "materials.lease", "code": "missing", "message_zh": "缺少租赁合同",
                          "message_en": "lease missing"}]}))
    [notice] = [n.text for n in world.notifications("YC-MN1") if n.template == "correction_notice"]
    assert has_mongolian(notice) and segments.count(notice) <= segments.MAX_SEGMENTS
