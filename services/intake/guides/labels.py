"""Chinese labels for the catalog's codes (channels, delivery methods, levels, material specs and sources)."""
from __future__ import annotations

from collections.abc import Sequence

from shared.i18n import N_

from .markup import Label, Markup, lbl, t

CHANNELS = {"online": N_("网上办理（政务服务网、蒙速办）"), "window": N_("政务服务大厅综合窗口"),
            "service_point": N_("苏木镇、嘎查村便民服务站点"), "bank_branch": N_("合作银行网点（政银企）")}
CHANNELS_SHORT = {"online": N_("网上"), "window": N_("窗口"), "service_point": N_("便民服务站点"), "bank_branch": N_("银行网点")}
DELIVERY = {"pickup": N_("现场领取"), "mail": N_("免费寄递"), "online": N_("网上反馈（电子证照）")}
LEVELS = {"village": N_("嘎查村"), "township": N_("苏木镇"), "banner": N_("旗区"), "city": N_("市")}
SPEC_FORMS = {"original": N_("原件"), "copy": N_("复印件"), "electronic": N_("电子件")}
SOURCES = {"applicant": N_("申请人提供"), "shared": N_("部门共享获取，免于提交"),
           "license_registry": N_("电子证照库调取，免于提交")}
LIFE_CYCLES = {"individual": N_("个人"), "enterprise": N_("法人（企业）")}
FIELD_TYPES = {"string": N_("文字"), "integer": N_("整数"), "number": N_("数字"), "boolean": N_("是/否"), "date": N_("日期"),
               "enum": N_("单选")}

# the catalog's item types (Item.item_type), marked for translation
ITEM_TYPES = (N_("行政许可"), N_("行政确认"), N_("行政给付"), N_("公共服务"), N_("备案"), N_("其他行政权力"))


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


def days_t(days: int | float) -> Markup:
    """days_text in the page's language(s)."""
    return t("即办") if days == 0 else t("{days} 个工作日", days=f"{days:g}")


def yuan_t(amount: float) -> Markup:
    return t("不收费") if amount == 0 else t("{amount} 元", amount=f"{amount:g}")


def spec_t(form: str, copies: int) -> Markup:
    """spec_text in the page's language(s)."""
    name = Label(label(SPEC_FORMS, form))
    return t("{form} {copies} 份", form=name, copies=copies) if copies else lbl(name)
