"""Intake checks for Chinese identifiers: resident ID numbers, unified social credit codes, mobiles.

Hard errors block acceptance; warnings are shown to the window clerk. Messages never echo the value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from stdnum import numdb

from shared.workdays import today_in_shanghai

EARLIEST_BIRTH_YEAR = 1900
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
ID_CHECK_CHARS = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [3**i % 31 for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Residence permits for Hong Kong, Macao and Taiwan residents; stdnum's data lacks 830000.
PERMIT_REGIONS = {"810000", "820000", "830000"}

MESSAGES = {
    "resident_id.length": ("身份证号码应为18位（或旧版15位）", "must have 18 characters (or 15 for an old number)"),
    "resident_id.format": ("身份证号码前17位应为数字，末位为数字或X", "the first 17 characters must be digits, the last a digit or X"),
    "resident_id.checksum": ("身份证号码校验码错误", "check character is wrong"),
    "resident_id.birth_date": ("出生日期不是有效日期", "birth date is not a real date"),
    "resident_id.birth_date_future": ("出生日期晚于今天", "birth date is in the future"),
    "resident_id.birth_date_too_early": ("出生日期早于1900年", "birth date is before 1900"),
    "resident_id.region_unknown": ("地址码不是已知的行政区划代码，请核对", "region code is not a known division code; please verify"),
    "resident_id.region_year": ("地址码在出生年份未使用，请核对（迁入登记者可能属实）", "region code was not in use in the birth year; please verify (valid for later registrations)"),
    "resident_id.legacy": ("15位旧号码已转换为18位", "old 15-digit number was converted to 18 digits"),
    "credit_code.length": ("统一社会信用代码应为18位", "must have 18 characters"),
    "credit_code.characters": ("统一社会信用代码含不允许的字符（不使用I、O、S、V、Z）", "contains characters outside the code alphabet (no I, O, S, V, Z)"),
    "credit_code.checksum": ("统一社会信用代码校验码错误", "check character is wrong"),
    "credit_code.org_checksum": ("组织机构代码部分校验位不符，请核对", "organisation code part has a wrong check character; please verify"),
    "mobile.format": ("手机号码只能包含数字", "mobile number may contain digits only"),
    "mobile.length": ("手机号码应为11位", "mobile number must have 11 digits"),
    "mobile.prefix": ("手机号码应以13至19开头", "mobile number must start with 13 to 19"),
}


@dataclass(frozen=True)
class Problem:
    """One finding, with a stable code and bilingual text for the clerk and the applicant."""

    code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Check:
    """Outcome of one identifier check; `normalized` is set only when there is no error."""

    normalized: str | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def problem(code: str) -> Problem:
    return Problem(code, *MESSAGES[code])


def _failed(*codes: str) -> Check:
    return Check(None, [problem(c) for c in codes])


def _clean(value: str) -> str:
    return re.sub(r"[\s\-]", "", value).upper()


def resident_id_check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def check_resident_id(value: str, today: date | None = None) -> Check:
    """Check an 18-digit resident ID number; a 15-digit old number is converted to 18 digits."""
    number = _clean(value)
    if len(number) == 15:
        return _check_legacy_id(number, today)
    if len(number) != 18:
        return _failed("resident_id.length")
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        return _failed("resident_id.format")
    checksum = [] if resident_id_check_char(number[:17]) == number[17] else [problem("resident_id.checksum")]
    return _judge_id(number, checksum, [], today)


def _check_legacy_id(number: str, today: date | None) -> Check:
    if not number.isdigit():
        return _failed("resident_id.format")
    first17 = number[:6] + "19" + number[6:]
    return _judge_id(first17 + resident_id_check_char(first17), [], [problem("resident_id.legacy")], today)


def _judge_id(number: str, errors: list[Problem], warnings: list[Problem], today: date | None) -> Check:
    born, date_errors = _birth_date(number[6:14], today or today_in_shanghai())
    errors = errors + date_errors
    warnings = warnings + _region_warnings(number[:6], born)
    return Check(None if errors else number, errors, warnings)


def _birth_date(digits: str, today: date) -> tuple[date | None, list[Problem]]:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None, [problem("resident_id.birth_date")]
    if born > today:
        return born, [problem("resident_id.birth_date_future")]
    if born.year < EARLIEST_BIRTH_YEAR:
        return born, [problem("resident_id.birth_date_too_early")]
    return born, []


def _region_warnings(region: str, born: date | None) -> list[Problem]:
    if region in PERMIT_REGIONS:
        return []
    counties = _county_entries(region)
    if not counties:
        return [problem("resident_id.region_unknown")]
    if born and not any(_in_use(entry, born.year) for entry in counties):
        return [problem("resident_id.region_year")]
    return []


def _county_entries(region: str) -> list[str]:
    # stdnum marks codes valid only for some years as "[start-end]name", comma-separated.
    info = {k: v for _, props in numdb.get("cn/loc").info(region) for k, v in props.items()}
    return info["county"].split(",") if "county" in info else []


def _in_use(entry: str, year: int) -> bool:
    if not entry.startswith("["):
        return True
    start, end = entry[1:].split("]")[0].split("-")
    return (not start or int(start) <= year) and (not end or year <= int(end))


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a unified social credit code."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code (letters count A=10 … Z=35)."""
    c = 11 - sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def check_credit_code(value: str) -> Check:
    """Check a unified social credit code; the inner organisation-code check is only a warning."""
    code = _clean(value)
    if len(code) != 18:
        return _failed("credit_code.length")
    if any(c not in CREDIT_ALPHABET for c in code):
        return _failed("credit_code.characters")
    if credit_code_check_char(code[:17]) != code[17]:
        return _failed("credit_code.checksum")
    # Older codes predate the rule that the entity part be a checked organisation code.
    inner_ok = org_code_check_char(code[8:16]) == code[16]
    return Check(code, [], [] if inner_ok else [problem("credit_code.org_checksum")])


def check_mobile(value: str) -> Check:
    """Check a mainland mobile number; +86/0086/86 and separators are dropped from `normalized`."""
    number = re.sub(r"^(\+|00)86", "", _clean(value))
    if not re.fullmatch(r"\d*", number):
        return _failed("mobile.format")
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if len(number) != 11:
        return _failed("mobile.length")
    if not re.fullmatch(r"1[3-9]\d{9}", number):
        return _failed("mobile.prefix")
    return Check(number)
