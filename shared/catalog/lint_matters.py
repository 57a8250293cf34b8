"""Lint rules about each matter as a whole: situations, time limits, the merged material list."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from .catalog import Catalog
from .graph import CycleError
from .limits import limits
from .lint_refs import LintProblem, problem
from .materials import MaterialEntry, material_list, upstream
from .model import Matter

MaterialList = Callable[[Catalog, str, list[str]], list[MaterialEntry]]
EXHAUSTIVE_UP_TO = 8


def situation_choices(matter: Matter) -> list[list[str]]:
    """Every combination of the matter's situations (or, beyond 8, none, each alone, and all)."""
    codes = matter.situation_codes
    if len(codes) <= EXHAUSTIVE_UP_TO:
        return [list(c) for n in range(len(codes) + 1) for c in itertools.combinations(codes, n)]
    return [[]] + [[code] for code in codes] + [codes]


def situation_rules(catalog: Catalog) -> Iterator[LintProblem]:
    for matter in catalog.matters.values():
        if not catalog.items_for(matter.code):
            yield problem("empty-matter", f"matter {matter.code}", "no item applies when no situation is chosen")
        defined, subject = set(matter.situation_codes), f"matter {matter.code}"
        for code in set(matter.item_situations) - set(matter.items):
            yield problem("unknown-item", subject, f"item_situations names {code!r}, not one of its items")
        for item in (catalog.items[c] for c in matter.items if c in catalog.items):
            for situation in sorted(set(matter.situations_of(item)) - defined):
                yield problem("unknown-situation", subject,
                              f"item {item.code} applies under situation {situation!r}, which the matter lacks")


def limit_rules(catalog: Catalog) -> Iterator[LintProblem]:
    for matter in catalog.matters.values():
        yield from _longest_item_rule(catalog, matter)
        yield from _critical_path_rule(catalog, matter)


def _longest_item_rule(catalog: Catalog, matter: Matter) -> Iterator[LintProblem]:
    items = [catalog.items[c] for c in matter.items if c in catalog.items]
    longest = max((item.promised_days for item in items), default=0)
    if matter.promised_days > longest:
        yield problem("limit-exceeds-longest-item", f"matter {matter.code}",
                      f"promises {matter.promised_days} working days, more than its longest item ({longest});"
                      " 原则上不超过所涉事项中最长的单一政务服务事项承诺办结时限")


def _critical_path_rule(catalog: Catalog, matter: Matter) -> Iterator[LintProblem]:
    for situations in situation_choices(matter):
        try:
            found = limits(catalog, matter.code, situations)
        except CycleError:
            return  # reported by the prerequisite-cycle rule
        if found.critical_path_days > matter.promised_days:
            chosen = ", ".join(situations) or "no situation"
            yield problem("critical-path-exceeds-limit", f"matter {matter.code}",
                          f"with {chosen} the chain {' -> '.join(found.critical_path)} takes "
                          f"{found.critical_path_days} working days, more than the promised {matter.promised_days}")
            return


def material_list_rules(catalog: Catalog, derive: MaterialList = material_list) -> Iterator[LintProblem]:
    """The merged list never outgrows the items' own lists (guards the derivation itself)."""
    for matter in catalog.matters.values():
        for situations in situation_choices(matter):
            merged = len(derive(catalog, matter.code, situations))
            own = sum(len(item.materials) for item in catalog.items_for(matter.code, situations))
            if merged > own:
                yield problem("material-list-too-long", f"matter {matter.code}",
                              f"merged list has {merged} materials, the items' own lists {own}")
                break


def own_output_rules(catalog: Catalog) -> Iterator[LintProblem]:
    """A matter never demands what it issues: a material on a matter's list whose license one of the matter's
    own items issues is refused, unless the demanding item is that item (it changes a license the holder has)
    or runs before it (the holder has one already). One a prerequisite delivers inside the plan is not on the list."""
    for matter in catalog.matters.values():
        reported: set[str] = set()
        for situations in situation_choices(matter):
            before = upstream(catalog, matter.code, situations)
            issuers: dict[str, list[str]] = {}
            for item in catalog.items_for(matter.code, situations):
                if item.license_type:
                    issuers.setdefault(item.license_type, []).append(item.code)
            for entry in material_list(catalog, matter.code, situations):
                for issuer in issuers.get(entry.license_type or "", []):
                    wrong = [x for x in entry.items if x != issuer and x not in before.get(issuer, set())]
                    if wrong and entry.code not in reported:
                        reported.add(entry.code)
                        yield problem("demands-own-output", f"matter {matter.code}",
                                      f"{', '.join(wrong)} ask(s) for {entry.code}, which {issuer} of this matter "
                                      f"issues; make {issuer} a prerequisite so the plan delivers it")


def commitment_rules(catalog: Catalog) -> Iterator[LintProblem]:
    """承诺失信: revoking the approval needs an approval that issues something to revoke."""
    for matter in catalog.matters.values():
        if matter.commitment_breach != "revoke":
            continue
        if not any(catalog.items[c].license_type for c in matter.items if c in catalog.items):
            yield problem("breach-revokes-nothing", f"matter {matter.code}",
                          "commitment_breach is revoke, but none of its items issues a license to revoke")
