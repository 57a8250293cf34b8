"""The window workbench's form helper: the one form's JSON Schema as inputs, posted strings back to JSON values
(never guessing a value the schema should refuse), and problems filed under the fields the page shows."""
from __future__ import annotations

from jsonschema import Draft202012Validator

from services.intake.window_form import by_field, form_fields, materials_problems, read_form
from shared.catalog import default_catalog
from shared.catalog.forms import merged_form


def test_every_field_of_a_form_becomes_an_input_of_its_kind():
    schema = merged_form(default_catalog(), "open-restaurant", ["area-over-threshold"])
    fields = {f.code: f for f in form_fields(schema)}
    assert list(fields) == list(schema["properties"])
    assert {f.code for f in fields.values() if f.required} == set(schema["required"])
    kinds = {f.kind for f in fields.values()}
    assert "enum" in kinds and fields["floor_area_sqm"].kind in ("number", "integer")
    assert all(f.title for f in fields.values())


def test_posted_strings_are_read_as_the_schema_s_types_and_blanks_are_left_out():
    schema = {"properties": {"n": {"type": "integer", "title": "N"}, "x": {"type": "number", "title": "X"},
                             "b": {"type": "boolean", "title": "B"}, "d": {"type": "string", "format": "date",
                                                                           "title": "D"},
                             "s": {"type": "string", "title": "S"}}, "required": ["n"]}
    fields = form_fields(schema)
    assert read_form(fields, {"form.n": "12", "form.x": "3.5", "form.b": "false", "form.d": "2026-12-01",
                              "form.s": "  "}) == {"n": 12, "x": 3.5, "b": False, "d": "2026-12-01"}
    typed = read_form(fields, {"form.n": "十二"})
    assert typed == {"n": "十二"}  # kept as typed: the schema refuses it, the page does not guess
    assert not Draft202012Validator({"type": "object", **schema}).is_valid(typed)


def test_problems_are_filed_under_the_field_the_page_shows():
    problems = [{"field": "materials.1.file_ref", "message_zh": "不是本窗口上传的文件"},
                {"field": "applicant.id_number", "message_zh": "校验码错误"},
                {"target": "form.bank_name", "message_zh": "请填写：开户银行"}]
    renamed = materials_problems(problems, ["bank-card", "deemed-contribution-proof"])
    assert by_field(renamed) == {"materials.deemed-contribution-proof": ["不是本窗口上传的文件"],
                                 "applicant.id_number": ["校验码错误"], "form.bank_name": ["请填写：开户银行"]}
