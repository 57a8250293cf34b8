"""HTTP API helpers shared by the services: JSON bodies, field-level errors in Chinese and English."""
from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Request

from shared.errors import problem as problem  # re-exported: the edge builds its problems with it

M = TypeVar("M", bound=BaseModel)

JSON_MAX_DEPTH = 64
"""How deep arrays and objects may nest in a request body; no request of ours needs more than a few levels."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")

_MESSAGES_ZH = {
    "missing": "缺少必填项", "extra_forbidden": "不允许的字段", "string_too_long": "内容过长",
    "string_too_short": "内容过短", "string_pattern_mismatch": "格式不正确", "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数", "bool_parsing": "应为布尔值", "string_type": "应为文本",
    "too_long": "条目过多", "too_short": "条目过少", "value_error": "取值不正确", "enum": "取值不在允许范围内",
    "date_from_datetime_parsing": "日期格式不正确", "dict_type": "应为对象", "list_type": "应为列表",
    "model_type": "应为对象", "greater_than_equal": "数值过小", "less_than_equal": "数值过大",
}


class ApiError(Exception):
    """An HTTP error with one problem per field: {"field", "code", "message_zh", "message_en"}."""

    def __init__(self, status: int, problems: list[dict[str, str]], title: str = ""):
        super().__init__(title or f"HTTP {status}")
        self.status, self.problems, self.title = status, problems, title or _TITLES.get(status, "error")

    def body(self) -> dict[str, Any]:
        return {"error": self.title, "status": self.status, "problems": self.problems}


_TITLES = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
           409: "conflict", 410: "gone", 411: "length required", 413: "payload too large",
           415: "unsupported media type",
           422: "validation failed", 429: "too many requests"}


def problems_from_validation(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """One problem per pydantic error, naming the field path."""
    out = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(p) for p in (prefix, *error["loc"]) if p != "")
        message_en = error["msg"]
        message_zh = _MESSAGES_ZH.get(error["type"], "取值不正确") + f"（{message_en}）"
        out.append(problem(path or "body", error["type"], message_zh, message_en))
    return out


def parse_json_body(request: Request, model: type[M]) -> M:
    """Read a JSON request body into `model`, or raise ApiError 415/400/422."""
    if (request.mimetype or "") != "application/json":
        raise ApiError(415, [problem("Content-Type", "unsupported_media_type",
                                     "请求内容类型必须为 application/json", "Content-Type must be application/json")])
    raw = request.get_data(cache=True)
    check_json_depth(raw)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, [problem("body", "invalid_json", "请求体不是有效的 JSON",
                                     f"the body is not valid JSON: {exc}")]) from exc
    return validate(model, data)


def check_json_depth(raw: bytes, limit: int = JSON_MAX_DEPTH) -> None:
    """Refuse (400) a JSON text whose arrays and objects nest deeper than `limit`, before it is parsed: counted
    on the brackets outside strings, so no recursion and no parse tree is spent on it."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return
    depth = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRING.sub(b'""', raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > limit:
            raise ApiError(400, [problem("body", "too_deep", "请求体 JSON 嵌套层级过深",
                                         f"the JSON body nests deeper than {limit} levels")])


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, problems_from_validation(exc)) from exc


def caller_address(request: Request) -> str:
    """The client's address as the edge found it (behind trusted proxies, from X-Forwarded-For)."""
    return str(request.environ.get("yici.client_address") or request.remote_addr or "")
