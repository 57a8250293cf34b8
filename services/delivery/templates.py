"""SMS templates (Chinese). Each names only the case, never the applicant's personal data."""
from __future__ import annotations

TEMPLATES = {
    "pickup_ready": "您申请的“{matter_name}”（办件编号{case_id}）已办结。请凭取件码{pickup_code}及有效证件到"
                    "{hall}领取办理结果，办公时间：{opening_hours}。",
    "mail_dispatched": "您申请的“{matter_name}”（办件编号{case_id}）已办结，办理结果已通过{courier}免费寄出，"
                       "运单号{tracking_number}。",
    "mail_delivered": "您申请的“{matter_name}”（办件编号{case_id}）的办理结果已签收。欢迎对本次服务作出评价。",
    "returned_to_pickup": "您申请的“{matter_name}”（办件编号{case_id}）的办理结果邮件被退回，已转为窗口领取："
                          "请凭取件码{pickup_code}及有效证件到{hall}领取，办公时间：{opening_hours}。",
    "online_ready": "您申请的“{matter_name}”（办件编号{case_id}）已办结，办理结果及电子证照可在{expires_on}前下载："
                    "{download_url}",
    "rejection_notice": "很抱歉，您申请的“{matter_name}”（办件编号{case_id}）未予通过。原因：{reasons}。"
                        "如有疑问，请到{hall}咨询，办公时间：{opening_hours}。",
    "correction_notice": "您申请的“{matter_name}”（办件编号{case_id}）需补正{count}项：{summary}。"
                         "请于{due_date}前一次性补正，可在网上提交或到{hall}窗口办理。",
}
MAX_SUMMARY = 120
# The completion texts end with the applicant's status page, where the case is rated (好差评)
COMPLETION = ("pickup_ready", "mail_dispatched", "online_ready")
RATING_LINK = " 查询进度及评价：{track_url}"  # the space ends a download link before it, for phones that link URLs


def render(template: str, signature: str, **values) -> str:
    """The message text: signature, then the template filled in (a completion with the rating link)."""
    text = signature + TEMPLATES[template].format(**values)
    link = values.get("track_url")
    return text + RATING_LINK.format(track_url=link) if link and template in COMPLETION else text


def summary(messages: list[str]) -> str:
    """The deficiencies in one line, cut (with …) to keep the message short."""
    text = "；".join(messages)
    return text if len(text) <= MAX_SUMMARY else text[:MAX_SUMMARY - 1] + "…"
