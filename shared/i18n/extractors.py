"""Babel extractor for the catalog's names (the `catalog` domain): every `name` of a matter, item, material and
department, a matter's `audience` and situation `label`s, a material's `acceptance_conditions`, and a form
field's `label` and choices (`enum`), in
shared/catalog/data/*.yaml, with its line, and the code as a comment for the translator."""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

# which files hold which kind of entry (matters/, items/, materials/, departments.yaml)
KINDS = ("matters", "items", "materials", "departments")
TEXTS = ("name", "label", "audience", "acceptance_conditions")  # a field's question is its label


def extract_catalog_yaml(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                         options: dict[str, Any]) -> Iterator[tuple[int, str, str, list[str]]]:
    """(line, funcname, message, comments) for each top-level entry's `name`."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    entries = root.value
    # departments.yaml nests its entries under a `departments:` key
    if len(entries) == 1 and isinstance(entries[0][1], yaml.MappingNode) and entries[0][0].value in KINDS:
        entries = entries[0][1].value
    for key, node in entries:
        if not isinstance(node, yaml.MappingNode):
            continue
        for field_key, value in node.value:
            if field_key.value in TEXTS and isinstance(value, yaml.ScalarNode) and value.value:
                yield value.start_mark.line + 1, "_", value.value, [f"{field_key.value} of {key.value}"]
            if field_key.value == "constraints" and isinstance(value, yaml.MappingNode):
                for constraint, choices in value.value:
                    if constraint.value == "enum" and isinstance(choices, yaml.SequenceNode):
                        for choice in choices.value:
                            if isinstance(choice, yaml.ScalarNode) and choice.value:
                                yield choice.start_mark.line + 1, "_", choice.value, [f"a choice of {key.value}"]
            if field_key.value == "situations" and isinstance(value, yaml.SequenceNode):
                for situation in value.value:
                    found = dict((k.value, v) for k, v in situation.value) if isinstance(
                        situation, yaml.MappingNode) else {}
                    label = found.get("label")
                    if isinstance(label, yaml.ScalarNode) and label.value:
                        code = found["code"].value if "code" in found else "?"
                        yield label.start_mark.line + 1, "_", label.value, [f"situation {code} of {key.value}"]


def extract_python_ast(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                       options: dict[str, Any]) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Babel extractor for Python by its syntax tree: also finds `t("…")` inside f-strings (which Python 3.11's
    tokenizer, and so Babel's own extractor, sees as one string), and implicit concatenations as one message."""
    import ast
    tree = ast.parse(fileobj.read().decode("utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        if func is None or func not in keywords:
            continue
        strings = [arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if not strings or not isinstance(node.args[0], ast.Constant):
            continue
        plural = func in ("ngettext", "ungettext") and len(strings) == 2
        yield node.lineno, func, (strings[0], strings[1]) if plural else strings[0], []
