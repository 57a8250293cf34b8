"""The collector's ID at the hall (delivery.domain.check_collector): a person's result goes to that person only,
a wrong or malformed number is refused at `id_number`, and the slip keeps the number masked."""
from __future__ import annotations

import pytest

from services.delivery.domain import check_collector
from shared.errors import Invalid


def pseudonym(number: str) -> str:
    return f"p:{number[::-1]}"


HOLDER = "152727195504121013"


def refused(id_number, collectors, required=False) -> dict:
    with pytest.raises(Invalid) as caught:
        check_collector(id_number, collectors, pseudonym, required)
    [problem] = caught.value.problems
    assert problem["field"] == "id_number" and problem["message_zh"]
    return problem


def test_the_holder_collects_and_the_slip_keeps_the_number_masked():
    found = check_collector(HOLDER.lower(), [pseudonym(HOLDER)], pseudonym)
    assert found == {"collector": {"id_masked": "1527**********1013", "checked": "holder"}}


def test_somebody_else_a_malformed_number_or_none_is_refused_for_a_person_s_result():
    assert refused("152727199007082429", [pseudonym(HOLDER)])["code"] == "collector_mismatch"
    assert refused("152727195504121012", [pseudonym(HOLDER)])["code"] != "collector_mismatch"
    assert refused("", [pseudonym(HOLDER)])["code"] == "id_required"


def test_a_company_s_result_needs_a_valid_id_when_the_screen_asks_for_one():
    assert check_collector(None, [], pseudonym) == {}
    assert refused(None, [], required=True)["code"] == "id_required"
    assert check_collector("152727199007082429", [], pseudonym)["collector"]["checked"] == "id_valid"
