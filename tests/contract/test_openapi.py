"""The committed OpenAPI document is the generated one, and it lists exactly intake's routes."""
from __future__ import annotations

import ast
import json
from pathlib import Path

from services.intake.openapi import openapi_document, openapi_path

ROOT = Path(__file__).resolve().parents[2]


def _routes_in_service() -> set[tuple[str, str]]:
    tree = ast.parse((ROOT / "services" / "intake" / "service.py").read_text(encoding="utf-8"))
    routes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "http":
            method, path = (arg.value for arg in node.args[:2])
            routes.add((method.lower(), openapi_path(path)))
    return routes


def test_the_document_lists_exactly_the_routes_of_the_service():
    documented = {(m, p) for p, ops in openapi_document()["paths"].items() for m in ops}
    assert documented == _routes_in_service()


def test_the_committed_document_is_current():
    committed = json.loads((ROOT / "services" / "intake" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(openapi_document()))


def test_it_is_openapi_3_1_with_request_schemas():
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    body = doc["paths"]["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SubmitCase") and "SubmitCase" in doc["components"]["schemas"]
