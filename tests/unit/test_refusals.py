"""The rules refuse with domain errors; the HTTP edge answers each kind with its status and the same body."""
from __future__ import annotations

import json

import pytest

from edge_support import json_response, refusal_error
from shared.api import ApiError
from shared.errors import Conflict, Gone, Invalid, NotFound, Refusal, problem


@pytest.mark.parametrize("refusal, status, title", [
    (Invalid([problem("channel", "channel_not_allowed", "该事项不支持此受理渠道", "channel must be one of [...]")]),
     422, "validation failed"),
    (NotFound("case_id", "YC1"), 404, "not found"),
    (Conflict("status", "not_waiting", "该办件不在待审状态", "a accepted case is not waiting for review"), 409,
     "conflict"),
    (Gone("link", "link_expired", "下载链接已过期，请重新获取", "the link expired at 2026-01-01"), 410, "gone"),
])
def test_each_kind_of_refusal_is_answered_with_its_status(refusal, status, title):
    error = refusal_error(refusal)
    assert (error.status, error.title, error.problems) == (status, title, refusal.problems)


def test_the_body_is_what_the_rules_said_byte_for_byte():
    before = ApiError(404, [problem("case_id", "not_found", "未找到：YC1", "not found: YC1")])
    after = refusal_error(NotFound("case_id", "YC1"))
    assert json_response(after.status, after.body()).data == json_response(before.status, before.body()).data
    assert json.loads(json_response(after.status, after.body()).data)["problems"][0]["message_zh"] == "未找到：YC1"


def test_a_not_found_may_name_its_own_code_and_messages():
    refusal = NotFound("request_id", "YC1:x", "unknown_request", "未找到本部门的该项审批任务", "no such task")
    assert refusal.problems == [problem("request_id", "unknown_request", "未找到本部门的该项审批任务", "no such task")]


def test_a_plain_refusal_is_a_422_and_says_why():
    refusal = Refusal([problem("x", "bad", "不对", "bad x")])
    assert refusal_error(refusal).status == 422 and str(refusal) == "bad x"
