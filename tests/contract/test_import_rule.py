"""Only service.py files and the providers package may import nameko, eventlet or kombu."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {"nameko", "eventlet", "kombu"}


def _allowed(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative.endswith("/service.py") and relative.startswith("services/") \
        or relative.startswith("shared/providers/")


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _python_files() -> list[Path]:
    return sorted(p for folder in ("shared", "services") for p in (ROOT / folder).rglob("*.py"))


def test_framework_imports_stay_at_the_edges():
    offenders = {p.relative_to(ROOT).as_posix(): sorted(_imported_roots(p) & FRAMEWORKS)
                 for p in _python_files() if not _allowed(p) and _imported_roots(p) & FRAMEWORKS}
    assert offenders == {}


def test_the_rule_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import kombu\nfrom nameko.extensions import Entrypoint\n")
    assert _imported_roots(bad) & FRAMEWORKS == {"kombu", "nameko"}


def test_every_service_has_its_nameko_class():
    for name in ("intake", "routing", "approval", "delivery", "oversight"):
        service = ROOT / "services" / name / "service.py"
        assert "class Service" in service.read_text(encoding="utf-8"), name


def test_test_modules_have_unique_basenames():
    """Test folders have no __init__.py: two modules with one basename would shadow each other."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
