"""Lint rules about codes the catalog carries for other systems: the platform's item codes, ID number fields."""
from __future__ import annotations

import re
from collections.abc import Iterator

from shared.identifiers import check_credit_code

from .catalog import Catalog
from .lint_refs import LintProblem, problem

PLATFORM_CODE = re.compile(r"^(?P<body>[0-9A-HJ-NPQRTUWXY]{18})[0-9]{13}([0-9]{2})?$")
ID_NUMBER_PATTERN = "^[0-9]{17}[0-9X]$"


def platform_code_rules(catalog: Catalog) -> Iterator[LintProblem]:
    """An item's 事项编码 has the implementation code's shape, starts with a valid credit code, and is unique."""
    seen: dict[str, str] = {}
    for item in catalog.items.values():
        code = item.platform_code
        if code is None:
            continue
        found = PLATFORM_CODE.match(code)
        if not found:
            yield problem("platform-code-format", f"item {item.code}", "事项编码 must be an 18-character credit "
                          "code followed by 13 digits (15 for a 业务办理项)")
        elif not check_credit_code(found["body"]).ok:
            yield problem("platform-code-body", f"item {item.code}",
                          "事项编码 does not start with a valid unified social credit code (check character)")
        if code in seen:
            yield problem("platform-code-repeated", f"item {item.code}", f"事项编码 already used by {seen[code]}")
        seen.setdefault(code, item.code)


def id_number_field_rules(catalog: Catalog) -> Iterator[LintProblem]:
    """A field with the resident ID pattern is checked as one (check character, birth date) at submission."""
    for field in catalog.fields.values():
        if field.constraints.pattern == ID_NUMBER_PATTERN and field.constraints.format != "resident-id":
            yield problem("id-number-unchecked", f"field {field.code}",
                          "holds an ID number (its pattern) but lacks format: resident-id, so a wrong check "
                          "character or birth date would pass")
