from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from shared.identifiers import (
    CREDIT_ALPHABET,
    MESSAGES,
    check_credit_code,
    check_mobile,
    check_resident_id,
    credit_code_check_char,
    resident_id_check_char,
)

TODAY = date(2026, 3, 2)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def with_check_char(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",  # GB 11643 example
        "360426199101010071",  # stdnum doctest
        "150626200503120019",
        "150626202401010029",
        "152727198503120039",  # old Wushen code, in use in 1985
    ],
)
def test_valid_resident_ids(value):
    check = check_resident_id(value, today=TODAY)
    assert check.ok and check.normalized == value
    assert check.errors == [] and check.warnings == []


def test_region_not_in_use_in_birth_year_is_only_a_warning():
    # 150626 dates from 2001; someone born in 1985 may have registered there later.
    check = check_resident_id("150626198503120019", today=TODAY)
    assert check.ok and check.normalized == "150626198503120019"
    assert codes(check.warnings) == ["resident_id.region_year"]


def test_standard_example_born_1880_passes_checksum_but_fails_the_1900_floor():
    # The standard's own example; the brief makes birth years before 1900 a hard error.
    check = check_resident_id("440524188001010014", today=TODAY)
    assert codes(check.errors) == ["resident_id.birth_date_too_early"]
    assert codes(check.warnings) == ["resident_id.region_year"]
    assert check.normalized is None


def test_unknown_region_is_only_a_warning():
    check = check_resident_id(with_check_char("99999919900101001"), today=TODAY)
    assert check.ok and codes(check.warnings) == ["resident_id.region_unknown"]


def test_residence_permit_region_is_known():
    assert check_resident_id(with_check_char("83000019900101001"), today=TODAY).warnings == []


def test_wrong_check_character_is_an_error():
    check = check_resident_id("110105194912310020", today=TODAY)
    assert not check.ok and check.normalized is None
    assert codes(check.errors) == ["resident_id.checksum"]


def test_lowercase_x_and_separators_are_accepted():
    check = check_resident_id(" 110105 19491231 002x ", today=TODAY)
    assert check.ok and check.normalized == "11010519491231002X"


def test_legacy_15_digit_number_is_converted():
    check = check_resident_id("110105491231002", today=TODAY)
    assert check.ok and check.normalized == "11010519491231002X"
    assert codes(check.warnings) == ["resident_id.legacy"]


@pytest.mark.parametrize(
    "first17, code",
    [
        ("15062619990230001", "resident_id.birth_date"),
        ("15062619991301001", "resident_id.birth_date"),
        ("15062620260303001", "resident_id.birth_date_future"),
        ("15062618991231001", "resident_id.birth_date_too_early"),
    ],
)
def test_impossible_birth_dates_are_errors(first17, code):
    assert codes(check_resident_id(with_check_char(first17), today=TODAY).errors) == [code]


def test_birth_today_is_allowed():
    assert check_resident_id(with_check_char("15062620260302001"), today=TODAY).ok


def test_all_errors_are_reported_at_once():
    check = check_resident_id("150626199902300010", today=TODAY)
    assert set(codes(check.errors)) == {"resident_id.checksum", "resident_id.birth_date"}


@pytest.mark.parametrize(
    "value, code",
    [
        ("1101051949123100", "resident_id.length"),
        ("", "resident_id.length"),
        ("11010519491231002XX", "resident_id.length"),
        ("1101051949123100XX", "resident_id.format"),
        ("11010519491231002Y", "resident_id.format"),
        ("11010549123100X", "resident_id.format"),
    ],
)
def test_malformed_resident_ids(value, code):
    check = check_resident_id(value, today=TODAY)
    assert codes(check.errors) == [code] and check.normalized is None


def test_default_today_is_used_when_not_given():
    assert check_resident_id("11010519491231002X").ok


def test_messages_never_contain_the_number():
    values = ["110105194912310020", "150626198503120019", "440524188001010014", "110105491231002"]
    for value in values:
        check = check_resident_id(value, today=TODAY)
        for p in check.errors + check.warnings:
            assert value[:6] not in p.message_zh + p.message_en
            assert p.message_zh and p.message_en


def test_every_message_is_bilingual_and_has_no_digit_runs():
    for zh, en in MESSAGES.values():
        assert zh and en
        assert not any(run for run in (zh + en).split() if run.isdigit() and len(run) > 4)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(
    region=st.text(alphabet="0123456789", min_size=6, max_size=6),
    born=birth_dates,
    sequence=st.integers(min_value=0, max_value=999),
)
def test_computed_check_char_validates_and_every_other_fails(region, born, sequence):
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    right = resident_id_check_char(first17)
    assert right == ric.calc_check_digit(first17 + "0")  # independent oracle
    assert check_resident_id(first17 + right, today=TODAY).ok
    for wrong in set("0123456789X") - {right}:
        check = check_resident_id(first17 + wrong, today=TODAY)
        assert codes(check.errors) == ["resident_id.checksum"]


@pytest.mark.parametrize(
    "value",
    [
        "91110000600037341L",
        "91110108551385082Q",
        "91350100M000100Y43",
        "91150626MA0N000088",
        "92150626MA0N000160",
        "12150626011000006K",
    ],
)
def test_valid_credit_codes(value):
    check = check_credit_code(value)
    assert check.ok and check.normalized == value and check.warnings == []


def test_inner_organisation_code_mismatch_is_only_a_warning():
    check = check_credit_code("91150626MA0N00001J")
    assert check.ok and check.normalized == "91150626MA0N00001J"
    assert codes(check.warnings) == ["credit_code.org_checksum"]


def test_credit_code_with_wrong_check_character():
    assert codes(check_credit_code("91350100M000100Y4A").errors) == ["credit_code.checksum"]


def test_credit_code_lowercase_and_spaces_are_normalized():
    assert check_credit_code(" 91350100m000100y43 ").normalized == "91350100M000100Y43"


@pytest.mark.parametrize(
    "value, code",
    [
        ("91350100M000100Y4", "credit_code.length"),
        ("91350100M000100Y433", "credit_code.length"),
        ("91350100M0001O0Y43", "credit_code.characters"),
        ("9135010OI000100Y43", "credit_code.characters"),
        ("91350100M000100Y4*", "credit_code.characters"),
    ],
)
def test_malformed_credit_codes(value, code):
    check = check_credit_code(value)
    assert codes(check.errors) == [code] and check.normalized is None


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_credit_code_check_char_round_trip(first17):
    right = credit_code_check_char(first17)
    assert right == uscc.calc_check_digit(first17)  # independent oracle
    assert check_credit_code(first17 + right).ok
    wrong = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(right) + 1) % 31]
    assert codes(check_credit_code(first17 + wrong).errors) == ["credit_code.checksum"]


@pytest.mark.parametrize(
    "value",
    ["13812345678", "+86 138 1234 5678", "86-138-1234-5678", "008613812345678", "+8619912345678"],
)
def test_valid_mobiles_are_normalized(value):
    check = check_mobile(value)
    assert check.ok and check.normalized == value.replace(" ", "").replace("-", "")[-11:]


@pytest.mark.parametrize(
    "value, code",
    [
        ("1381234567", "mobile.length"),
        ("138123456789", "mobile.length"),
        ("+85213812345678", "mobile.format"),
        ("12812345678", "mobile.prefix"),
        ("23812345678", "mobile.prefix"),
        ("138-1234-567a", "mobile.format"),
        ("", "mobile.length"),
    ],
)
def test_invalid_mobiles(value, code):
    check = check_mobile(value)
    assert codes(check.errors) == [code] and check.normalized is None
