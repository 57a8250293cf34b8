"""Lint rules about references and definitions: every code points at something, once, consistently."""
from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from .catalog import Catalog
from .graph import find_cycle, strongly_connected


class LintProblem(BaseModel):
    """One problem: which rule, which entity, what is wrong."""

    model_config = ConfigDict(frozen=True)
    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject}: {self.message}"


def problem(rule: str, subject: str, message: str) -> LintProblem:
    return LintProblem(rule=rule, subject=subject, message=message)


def prerequisite_cycles(catalog: Catalog) -> Iterator[LintProblem]:
    edges = {code: item.prerequisites for code, item in catalog.items.items()}
    for component in strongly_connected(edges):
        cycle = find_cycle({code: [p for p in edges[code] if p in component] for code in component})
        if cycle:
            yield problem("prerequisite-cycle", f"item {cycle[0]}", "prerequisite cycle " + " -> ".join(cycle))


def item_references(catalog: Catalog) -> Iterator[LintProblem]:
    for item in catalog.items.values():
        subject = f"item {item.code}"
        if item.department not in catalog.departments:
            yield problem("unknown-department", subject, f"department {item.department!r} does not exist")
        for kind, codes, known in (("prerequisite", item.prerequisites, catalog.items),
                                   ("material", item.materials, catalog.materials),
                                   ("field", item.fields, catalog.fields)):
            for code in codes:
                if code not in known:
                    yield problem(f"unknown-{kind}", subject, f"{kind} {code!r} does not exist")
        for code in set(item.field_overrides) - set(item.fields):
            yield problem("unknown-field", subject, f"field override {code!r} is not among the item's fields")


def matter_references(catalog: Catalog) -> Iterator[LintProblem]:
    for matter in catalog.matters.values():
        subject = f"matter {matter.code}"
        if matter.lead_department not in catalog.departments:
            yield problem("unknown-department", subject, f"lead department {matter.lead_department!r} does not exist")
        for code in matter.items:
            if code not in catalog.items:
                yield problem("unknown-item", subject, f"item {code!r} does not exist")
        departments = {catalog.items[c].department for c in matter.items if c in catalog.items}
        if matter.lead_department not in departments:
            yield problem("lead-not-involved", subject,
                          f"lead department {matter.lead_department!r} decides none of the matter's items")


def repeated_codes(catalog: Catalog) -> Iterator[LintProblem]:
    """A code listed twice in one list would be counted twice by the reductions."""
    lists = [(f"item {i.code}", kind, getattr(i, kind)) for i in catalog.items.values()
             for kind in ("prerequisites", "materials", "fields", "situations")]
    lists += [(f"matter {m.code}", kind, codes) for m in catalog.matters.values()
              for kind, codes in (("items", m.items), ("situations", m.situation_codes))]
    for subject, kind, codes in lists:
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            yield problem("repeated-code", subject, f"{kind} lists {code!r} more than once")


def field_type_conflicts(catalog: Catalog) -> Iterator[LintProblem]:
    for item in catalog.items.values():
        for code, override in item.field_overrides.items():
            base = catalog.fields.get(code)
            if base and override.type and override.type != base.type:
                yield problem("conflicting-field-type", f"field {code}",
                              f"item {item.code} declares it {override.type}, the catalog {base.type}")


def redefinitions(catalog: Catalog) -> Iterator[LintProblem]:
    for found in catalog.redefinitions:
        files = ", ".join(found.files)
        if found.kind == "fields" and not found.same:
            yield problem("conflicting-field-type", f"field {found.code}", f"defined differently in {files}")
        elif not found.same:
            yield problem("duplicate-definition", f"{found.kind} {found.code}", f"defined differently in {files}")


def material_rules(catalog: Catalog) -> Iterator[LintProblem]:
    licenses = catalog.issued_licenses() | set(catalog.external_licenses)
    for material in catalog.materials.values():
        subject = f"material {material.code}"
        if material.deferrable and material.supply_days is None:
            yield problem("deferrable-without-supply-days", subject,
                          "deferrable material has no supply_days (the deadline to supply it)")
        if material.license_type and material.source != "license_registry":
            yield problem("license-not-from-registry", subject,
                          f"e-license {material.license_type!r} must come from the license registry, not the "
                          f"{material.source}")
        if material.license_type and material.license_type not in licenses:
            yield problem("unknown-license-type", subject,
                          f"no item issues license {material.license_type!r} and it is not listed as external")


def version_rules(catalog: Catalog) -> Iterator[LintProblem]:
    if catalog.changed_since_published:
        yield problem("published-catalog-changed", f"catalog {catalog.version}",
                      "data changed after publishing; start a new draft version (python -m shared.catalog.publish "
                      "--draft NEW_VERSION), then publish it")
