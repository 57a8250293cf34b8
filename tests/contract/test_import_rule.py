"""Layers and edges: `shared` (the kernel) < `services` < `yici` (the composition root), each importing only
the layers below it; only service.py files, the providers package and the composition root may import
nameko, eventlet or kombu."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"nameko", "eventlet", "kombu"}
LAYERS = ("shared", "services", "yici")
ABOVE = {"shared": {"services", "yici", "yici_deploy"}, "services": {"yici", "yici_deploy"}}


def _allowed(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative.endswith("/service.py") and relative.startswith("services/") \
        or relative.startswith(("shared/providers/", "yici/"))


def _imported_roots(path: Path) -> set[str]:
    """Top-level packages a module imports: import statements anywhere (also inside functions) and
    `importlib.import_module("pkg…")` / `__import__("pkg…")` with a literal or f-string name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _dynamic_name(node):
            roots.add(_dynamic_name(node).split(".")[0])
    return roots


def _dynamic_name(call: ast.Call) -> str:
    function = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if function not in ("import_module", "__import__") or not call.args:
        return ""
    name = call.args[0]
    if isinstance(name, ast.JoinedStr) and name.values:
        name = name.values[0]
    return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else ""


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_framework_imports_stay_at_the_edges():
    offenders = {p.relative_to(ROOT).as_posix(): sorted(_imported_roots(p) & FRAMEWORKS)
                 for p in _python_files(*LAYERS) if not _allowed(p) and _imported_roots(p) & FRAMEWORKS}
    assert offenders == {}


def test_no_layer_imports_a_layer_above_it():
    offenders = {p.relative_to(ROOT).as_posix(): sorted(_imported_roots(p) & above)
                 for layer, above in ABOVE.items() for p in _python_files(layer) if _imported_roots(p) & above}
    assert offenders == {}


def test_the_rules_see_violations(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import kombu\nfrom nameko.extensions import Entrypoint\n\n\ndef late():\n"
                   "    from yici import runner\n    importlib.import_module(f'services.{name}.service')\n")
    assert _imported_roots(bad) & FRAMEWORKS == {"kombu", "nameko"}
    assert _imported_roots(bad) & ABOVE["shared"] == {"services", "yici"}


def test_nothing_edits_the_import_path():
    """Packages are installed (pyproject's packages.find), never reached by editing sys.path."""
    edits = [p.relative_to(ROOT).as_posix() for p in _python_files(*LAYERS) if "sys.path" in p.read_text("utf-8")]
    assert edits == []


def test_every_service_has_its_nameko_class():
    for name in ("intake", "routing", "approval", "delivery", "oversight"):
        service = ROOT / "services" / name / "service.py"
        assert "class Service" in service.read_text(encoding="utf-8"), name


def test_test_modules_have_unique_basenames():
    """Test folders have no __init__.py: two modules with one basename would shadow each other."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
