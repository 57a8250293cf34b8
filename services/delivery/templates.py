"""SMS templates, written in Chinese and sent in the applicant's language (Chinese or traditional Mongolian, the
case's `language`, ADR 0030). Each names only the case, never the applicant's personal data. A text stays within
the gateway's segments (segments.py): its free parts (deficiencies, reasons, materials) are shortened to fit."""
from __future__ import annotations

from shared.i18n import N_, catalog_name, translate_in

from . import segments

TEMPLATES = {
    "pickup_ready": N_("您申请的“{matter_name}”（办件编号{case_id}）已办结。请凭取件码{pickup_code}及有效证件到"
                    "{hall}领取办理结果，办公时间：{opening_hours}。"),
    "mail_dispatched": N_("您申请的“{matter_name}”（办件编号{case_id}）已办结，办理结果已通过{courier}免费寄出，"
                       "运单号{tracking_number}。"),
    "mail_delivered": N_("您申请的“{matter_name}”（办件编号{case_id}）的办理结果已签收。欢迎对本次服务作出评价。"),
    "returned_to_pickup": N_("您申请的“{matter_name}”（办件编号{case_id}）的办理结果邮件被退回，已转为窗口领取："
                          "请凭取件码{pickup_code}及有效证件到{hall}领取，办公时间：{opening_hours}。"),
    "online_ready": N_("您申请的“{matter_name}”（办件编号{case_id}）已办结，办理结果及电子证照可在{expires_on}前下载："
                    "{download_url}"),
    "rejection_notice": N_("您申请的“{matter_name}”（办件编号{case_id}）经审查不予许可。不予许可决定书（{document_number}）"
                        "载明理由、法律依据及复议、诉讼途径，将{how}送达，也可在线查看打印：{decision_url}"),
    "rejection_notice_only": N_("很抱歉，您申请的“{matter_name}”（办件编号{case_id}）未予通过。原因：{reasons}。"
                             "如有疑问，请到{hall}咨询，办公时间：{opening_hours}。"),
    "decision_pickup_ready": N_("您申请的“{matter_name}”（办件编号{case_id}）的不予许可决定书已备好，请凭取件码{pickup_code}"
                             "及有效证件到{hall}领取，办公时间：{opening_hours}。"),
    "decision_online_ready": N_("您申请的“{matter_name}”（办件编号{case_id}）的不予许可决定书可在{expires_on}前下载："
                             "{download_url}"),
    "decision_mail_dispatched": N_("您申请的“{matter_name}”（办件编号{case_id}）的不予许可决定书已通过{courier}免费寄出，"
                                "运单号{tracking_number}。"),
    "decision_mail_delivered": N_("您申请的“{matter_name}”（办件编号{case_id}）的不予许可决定书已签收。"),
    "acceptance_notice": N_("您申请的“{matter_name}”（办件编号{case_id}）已受理，承诺于{due_date}前办结。"
                         "办理进度可随时查询：{track_url}"),
    "supplement_request": N_("您申请的“{matter_name}”（办件编号{case_id}）中“{item_name}”的审批部门要求补正，审批时限暂停计算。"
                          "请于{due_date}前补正，补正内容及方式见：{track_url}，也可到{hall}窗口办理。"),
    "correction_notice": N_("您申请的“{matter_name}”（办件编号{case_id}）需补正{count}项：{summary}。"
                         "请于{due_date}前一次性补正，可在网上提交或到{hall}窗口办理。"),
    "commitment_reminder": N_("您申请的“{matter_name}”（办件编号{case_id}）容缺受理时承诺补交的材料：{materials}，"
                           "请于{due_date}前补交，逾期未补交将按承诺记入信用记录。"),
    "license_changed": N_("您在“{matter_name}”（办件编号{case_id}）中取得的{license_name}（编号{number}）{what}。"
                          "如有疑问，请到{hall}咨询，办公时间：{opening_hours}。"),
    "not_accepted_notice": N_("您申请的“{matter_name}”（办件编号{case_id}）未在{due_date}前补正，依法不予受理。"
                           "如需办理，请重新申请，可到{hall}咨询，办公时间：{opening_hours}。"),
}
MAX_SUMMARY = 120
# what happened to a license (license_changed): the department's own words stay in its sealed record
LICENSE_CHANGES = {
    "revoked": N_("已被发证部门依法撤销，自{changed_on}起失效。对此不服的，可自收到本通知之日起60日内申请行政复议，"
                  "或6个月内提起行政诉讼"),
    "corrected": N_("的记载事项已于{changed_on}更正，证照编号不变，可重新下载或查验"),
    "replaced": N_("已于{changed_on}换发，新证照编号{replaced_by}，原证照同时失效"),
}
HOW = {"pickup": N_("凭取件码到窗口领取"), "mail": N_("免费邮寄"), "online": N_("网上")}  # how a written decision goes out
# The completion texts end with the applicant's status page, where the case is rated (好差评)
COMPLETION = ("pickup_ready", "mail_dispatched", "online_ready")
RATING_LINK = N_(" 查询进度及评价：{track_url}")  # the space ends a download link before it, for phones that link URLs


NAMES = ("matter_name", "item_name", "license_name")  # catalog names among the values, sent in the applicant's language
# shortened, longest first, until the text fits the gateway; the names only when nothing else is left
FREE = ("summary", "reasons", "materials")
LANGUAGES = ("zh", "mn")


def render(template: str, signature: str, language: str = "zh", **values) -> str:
    """The message text in `language`: signature, then the template filled in (a completion with the rating
    link), within the gateway's segments (segments.MAX_SEGMENTS)."""
    lang = language if language in LANGUAGES else "zh"
    if lang != "zh":
        values = {k: catalog_name(v, lang) if k in NAMES and isinstance(v, str) else v for k, v in values.items()}
        if isinstance(values.get("how"), str):
            values["how"] = translate_in(lang, values["how"])
    text = _filled(template, signature, lang, values)
    while not segments.fits(text):
        free = _shortenable(template, values, FREE) or _shortenable(template, values, NAMES)
        if not free:
            break  # nothing left to shorten (never happens with the shipped templates: a test holds them within)
        longest = max(free, key=lambda k: len(values[k]))
        over = segments.length(text) - segments.MAX_SEGMENTS * segments.CONCATENATED[segments.encoding(text)]
        keep = max(1, len(values[longest]) - max(over, 1) - 1)
        values = {**values, longest: values[longest][:keep] + "…"}
        text = _filled(template, signature, lang, values)
    return text


def _shortenable(template: str, values: dict, keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if "{" + k + "}" in TEMPLATES[template] and isinstance(values.get(k), str)
            and len(values[k]) > 2]


def _filled(template: str, signature: str, lang: str, values: dict) -> str:
    text = signature + translate_in(lang, TEMPLATES[template]).format(**values)
    link = values.get("track_url")
    return text + translate_in(lang, RATING_LINK).format(track_url=link) if link and template in COMPLETION else text


def summary(messages: list[str]) -> str:
    """The deficiencies in one line, cut (with …) to keep the message short."""
    text = "；".join(messages)
    return text if len(text) <= MAX_SUMMARY else text[:MAX_SUMMARY - 1] + "…"
