"""Pre-review (初审): check the one form and the one material list, and list every deficiency at once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator

from shared.catalog import Catalog
from shared.catalog.forms import merged_form
from shared.catalog.materials import MaterialEntry, material_list


@dataclass(frozen=True)
class Deficiency:
    target: str
    code: str
    message_zh: str
    message_en: str

    def as_dict(self) -> dict:
        return {"target": self.target, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


@dataclass(frozen=True)
class Deferred:
    code: str
    name: str
    supply_days: int


@dataclass(frozen=True)
class Evidence:
    """What the applicant's materials can be checked against: uploaded files, and what the e-license library and
    the shared-data exchange answered for the materials they should supply (see library.py)."""
    files: dict[str, str] = field(default_factory=dict)        # file_ref -> sha256
    license_types: set[str] = field(default_factory=set)       # types the applicant already holds
    fetched: dict[str, str] = field(default_factory=dict)      # material code -> the source that supplied it
    not_fetched: dict[str, str] = field(default_factory=dict)  # material code -> why nothing was found
    waiting: dict[str, str] = field(default_factory=dict)      # material code -> the source that is down


@dataclass(frozen=True)
class Review:
    deficiencies: list[Deficiency]
    deferred: list[Deferred]
    unavailable: dict[str, str] = field(default_factory=dict)  # material code -> the source down and why

    @property
    def passed(self) -> bool:
        return not self.deficiencies


def library_entries(catalog: Catalog, matter_code: str, situations: Iterable[str]) -> list[MaterialEntry]:
    """The materials of this application that the e-license library or the shared-data exchange should supply."""
    key = (catalog.version, matter_code, tuple(sorted(situations)))
    return [e for e in _materials(catalog, key) if e.source in LIBRARY_SOURCES]


def review(catalog: Catalog, matter_code: str, situations: Iterable[str], form: dict, materials: list[dict],
           commitment: bool, evidence: Evidence) -> Review:
    """The whole pre-review: form problems and material problems together, never one at a time."""
    key = (catalog.version, matter_code, tuple(sorted(situations)))
    form_problems = _check_with(_validator(catalog, key), form)
    material_problems, deferred = check_materials(_materials(catalog, key), materials, commitment, evidence)
    return Review(form_problems + material_problems, deferred)


def check_form(schema: dict, form: dict) -> list[Deficiency]:
    return _check_with(_compile(schema), form)


def _compile(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _check_with(validator: Draft202012Validator, form: dict) -> list[Deficiency]:
    schema = validator.schema
    return sorted((_form_deficiency(schema, e) for e in validator.iter_errors(form)), key=lambda d: d.target)


_VALIDATORS: dict[tuple, Draft202012Validator] = {}
_MATERIALS: dict[tuple, list[MaterialEntry]] = {}


def _validator(catalog: Catalog, key: tuple) -> Draft202012Validator:
    """Forms and material lists derive from the catalog version alone: compute each once."""
    if key not in _VALIDATORS:
        _VALIDATORS[key] = _compile(merged_form(catalog, key[1], key[2]))
    return _VALIDATORS[key]


def _materials(catalog: Catalog, key: tuple) -> list[MaterialEntry]:
    if key not in _MATERIALS:
        _MATERIALS[key] = material_list(catalog, key[1], key[2])
    return _MATERIALS[key]


def _form_deficiency(schema: Mapping[str, Any] | bool, error) -> Deficiency:
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    if error.validator == "required":
        key = error.message.split("'")[1]
        label = properties.get(key, {}).get("title", key)
        return Deficiency(f"form.{key}", "form.missing", f"请填写：{label}", f"fill in: {key}")
    if error.validator == "additionalProperties":
        return Deficiency("form", "form.unknown_field", "表单中有本事项不需要的字段",
                          "the form has fields this matter does not ask for (see the matter's form)")
    key = ".".join(str(p) for p in error.absolute_path) or "form"
    # the label is the catalog's title, never the key as sent: deficiencies are quoted in the notice's SMS
    label = properties.get(key, {}).get("title", "表单内容") if key in properties else "表单内容"
    return Deficiency(f"form.{key}", f"form.{error.validator}", f"填写内容不符合要求：{label}",
                      f"{key}: {error.message[:200]}")


DEFERRABLE_PROBLEMS = ("material.missing", "material.not_in_library")


def check_materials(entries: list[MaterialEntry], supplied: list[dict], commitment: bool,
                    evidence: Evidence) -> tuple[list[Deficiency], list[Deferred]]:
    by_code = {m["code"]: m for m in supplied}
    problems = [_unknown(code) for code in by_code if code not in {e.code for e in entries}]
    deferred: list[Deferred] = []
    for entry in entries:
        problem = _check_entry(entry, by_code.get(entry.code), evidence)
        if problem is None:
            continue
        if problem.code in DEFERRABLE_PROBLEMS and entry.deferrable and commitment:
            deferred.append(Deferred(entry.code, entry.name, entry.supply_days or 0))
        else:
            problems.append(_with_deferral_hint(problem, entry))
    return problems, deferred


LIBRARY_SOURCES = ("license_registry", "shared")
WHY_NOT = {"not_held": ("库中没有申请人名下的该材料", "the holder has none on record"),
           "no_holder": ("申请人未提供身份证号码或统一社会信用代码，无法调取",
                         "no ID number or credit code to look it up by"),
           "unavailable": ("电子证照库（数据共享平台）暂时无法访问，已超过等待时限",
                           "the library or exchange could not be reached within the waiting time")}


def _check_entry(entry: MaterialEntry, given: dict | None, evidence: Evidence) -> Deficiency | None:
    if given is None and entry.source in LIBRARY_SOURCES:
        return _check_fetched(entry, evidence)
    if given is None:
        return Deficiency(f"materials.{entry.code}", "material.missing", f"缺少材料：{entry.name}",
                          f"missing material: {entry.code}")
    return _check_given(entry, given, evidence)


def _check_fetched(entry: MaterialEntry, evidence: Evidence) -> Deficiency | None:
    """A material the library or exchange should supply: fetched, still waited for, or not fetched (upload)."""
    if entry.code in evidence.fetched or entry.license_type and entry.license_type in evidence.license_types:
        return None
    target = f"materials.{entry.code}"
    if entry.code in evidence.waiting:
        return Deficiency(target, "material.lookup_pending", f"正在从电子证照库（数据共享平台）调取：{entry.name}",
                          f"waiting for the library or exchange to answer: {entry.code}")
    where_zh, where_en = (("电子证照库", "the e-license library") if entry.source == "license_registry"
                          else ("部门共享数据", "the shared-data exchange"))
    why = evidence.not_fetched.get(entry.code, "not_held")
    why_zh, why_en = WHY_NOT.get(why.split(":")[0], WHY_NOT["not_held"])
    return Deficiency(target, "material.not_in_library",
                      f"未能从{where_zh}调取：{entry.name}（{why_zh}）。请上传该材料的电子件或扫描件，或到窗口出示原件",
                      f"could not be fetched from {where_en}: {entry.code} ({why_en}); please upload it")


def _check_given(entry: MaterialEntry, given: dict, evidence: Evidence) -> Deficiency | None:
    if given.get("license_number"):
        if entry.code in evidence.fetched or entry.license_type and entry.license_type in evidence.license_types:
            return None
        return Deficiency(f"materials.{entry.code}", "material.license_not_found",
                          f"电子证照库中未找到该证照：{entry.name}", f"no such e-license in the registry: {entry.code}")
    ref = given.get("file_ref")
    if ref not in evidence.files:
        return Deficiency(f"materials.{entry.code}", "material.file_not_found", f"未找到上传的文件：{entry.name}",
                          f"no uploaded file with that reference: {entry.code}")
    if given.get("sha256") and given["sha256"] != evidence.files[ref]:
        return Deficiency(f"materials.{entry.code}", "material.checksum", f"文件校验值不符：{entry.name}",
                          f"sha256 does not match the uploaded file: {entry.code}")
    return None


def _with_deferral_hint(problem: Deficiency, entry: MaterialEntry) -> Deficiency:
    if problem.code not in DEFERRABLE_PROBLEMS or not entry.deferrable:
        return problem
    code = "material.missing_deferrable" if problem.code == "material.missing" else problem.code
    return Deficiency(problem.target, code,
                      problem.message_zh + "（签署承诺书后可容缺受理）",
                      problem.message_en + " (may be deferred if the applicant signs the commitment)")


def _unknown(code: str) -> Deficiency:
    return Deficiency(f"materials.{code}", "material.unknown", "本事项不需要此项材料",
                      "this matter does not ask for this material (see the matter's material list)")
