"""Chinese labels for the catalog's codes (channels, delivery methods, levels, material specs and sources)."""
from __future__ import annotations

from collections.abc import Sequence

CHANNELS = {"online": "网上办理（政务服务网、蒙速办）", "window": "政务服务大厅综合窗口",
            "service_point": "苏木镇、嘎查村便民服务站点", "bank_branch": "合作银行网点（政银企）"}
CHANNELS_SHORT = {"online": "网上", "window": "窗口", "service_point": "便民服务站点", "bank_branch": "银行网点"}
DELIVERY = {"pickup": "现场领取", "mail": "免费寄递", "online": "网上反馈（电子证照）"}
LEVELS = {"village": "嘎查村", "township": "苏木镇", "banner": "旗区", "city": "市"}
SPEC_FORMS = {"original": "原件", "copy": "复印件", "electronic": "电子件"}
SOURCES = {"applicant": "申请人提供", "shared": "部门共享获取，免于提交",
           "license_registry": "电子证照库调取，免于提交"}
LIFE_CYCLES = {"individual": "个人", "enterprise": "法人（企业）"}
FIELD_TYPES = {"string": "文字", "integer": "整数", "number": "数字", "boolean": "是/否", "date": "日期",
               "enum": "单选"}


def label(table: dict[str, str], code: str) -> str:
    """The Chinese label of `code`, or the code itself when the table does not know it."""
    return table.get(code, code)


def labelled(table: dict[str, str], codes: Sequence[str]) -> list[dict[str, str]]:
    return [{"code": code, "label": label(table, code)} for code in codes]


def spec_text(form: str, copies: int) -> str:
    """E.g. 原件 1 份, 复印件 2 份, 电子件."""
    name = label(SPEC_FORMS, form)
    return f"{name} {copies} 份" if copies else name


def days_text(days: int | float) -> str:
    return "即办" if days == 0 else f"{days:g} 个工作日"


def yuan_text(amount: float) -> str:
    return "不收费" if amount == 0 else f"{amount:g} 元"
