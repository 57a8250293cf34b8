"""Check a catalog for problems the loader lets through: `python -m shared.catalog.lint [DIRECTORY]`."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .catalog import Catalog
from .errors import CatalogError
from .lint_codes import id_number_field_rules, platform_code_rules
from .lint_matters import commitment_rules, limit_rules, material_list_rules, own_output_rules, situation_rules
from .lint_refs import (
    LintProblem,
    field_type_conflicts,
    item_references,
    material_rules,
    matter_references,
    prerequisite_cycles,
    redefinitions,
    repeated_codes,
    version_rules,
)
from .loader import load_catalog

RULES = (version_rules, prerequisite_cycles, item_references, matter_references, repeated_codes,
         field_type_conflicts, redefinitions, material_rules, situation_rules, limit_rules, material_list_rules,
         own_output_rules, commitment_rules, platform_code_rules, id_number_field_rules)

__all__ = ["LintProblem", "lint", "main"]


def lint(catalog: Catalog) -> list[LintProblem]:
    """Every problem of every rule, in rule order."""
    return [found for rule in RULES for found in rule(catalog)]


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per problem and return 1, or a summary and return 0."""
    parser = argparse.ArgumentParser(prog="python -m shared.catalog.lint", description=__doc__)
    parser.add_argument("directory", nargs="?", help="catalog directory (default: the shipped catalog)")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog(args.directory)
    except CatalogError as exc:
        print(f"[load] {exc}")
        return 1
    problems = lint(catalog)
    names, counts = mongolian_names(catalog)
    for found in [*problems, *names]:
        print(found)
    print(f"mongolian names: {counts['names']} names, {counts['reviewed']} reviewed, {counts['drafts']} drafts "
          f"awaiting review, {len(names)} without Mongolian")
    print(summary(catalog, problems))
    return 1 if problems or names else 0


def mongolian_names(catalog: Catalog) -> tuple[list[LintProblem], dict[str, int]]:
    """Every matter, item, material and department name has its Mongolian in the `catalog` gettext domain
    (shared/i18n/locales/mn_Mong_CN/LC_MESSAGES/catalog.po), reviewed or a draft (fuzzy) awaiting review."""
    from shared.i18n import translations
    found = translations("mn", "catalog")
    drafts: frozenset[str] = getattr(found, "drafts", frozenset())
    entries = [("matter", c, m.name) for c, m in catalog.matters.items()] + [
        ("item", c, i.name) for c, i in catalog.items.items()] + [
        ("material", c, m.name) for c, m in catalog.materials.items()] + [
        ("department", c, d.name) for c, d in catalog.departments.items()]
    problems = [LintProblem(rule="mongolian_name", subject=f"{kind} {code}",
                            message=f"no Mongolian for {name!r}: run `yici i18n update` and translate it in "
                                    "catalog.po") for kind, code, name in entries if found.gettext(name) == name]
    names = {name for _, _, name in entries}
    draft_count = len(names & drafts)
    return problems, {"names": len(names), "drafts": draft_count,
                      "reviewed": len(names) - draft_count - len({p.message for p in problems})}


def summary(catalog: Catalog, problems: list[LintProblem]) -> str:
    counts = (f"{len(catalog.matters)} matters, {len(catalog.items)} items, {len(catalog.departments)} departments, "
              f"{len(catalog.materials)} materials, {len(catalog.fields)} fields")
    verdict = f"{len(problems)} problem(s)" if problems else "no problems"
    return f"catalog {catalog.version} ({catalog.status}) at {catalog.source}: {counts}: {verdict}"


if __name__ == "__main__":
    sys.exit(main())
