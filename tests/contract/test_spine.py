"""Every service has the same spine: the rules (domain.py) and use cases (handlers.py) import no HTTP and no
SQL, a Context built by Context.build, handle_batch(uow, events, context), only the store commits, and HTTP
errors are raised at the edge only."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
EDGE_ONLY = ("werkzeug", "sqlalchemy", "shared.api")  # HTTP, SQL, and the HTTP helpers


def _imported_modules(path: Path) -> set[str]:
    """Every module the file imports, by its full name (`from a import b` counts as `a` and `a.b`)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return modules


def _edge_imports(path: Path) -> list[str]:
    return sorted(m for m in _imported_modules(path) if any(m == e or m.startswith(e + ".") for e in EDGE_ONLY))


def _core_files() -> list[Path]:
    return sorted(ROOT / "services" / name / module for name in SERVICES for module in ("domain.py", "handlers.py"))


def test_rules_and_use_cases_know_no_http_and_no_sql():
    offenders = {p.relative_to(ROOT).as_posix(): _edge_imports(p) for p in _core_files() if _edge_imports(p)}
    assert offenders == {}


def test_the_core_rule_sees_a_violation(tmp_path):
    bad = tmp_path / "handlers.py"
    bad.write_text("from shared import api\nfrom sqlalchemy.exc import IntegrityError\nimport werkzeug.wrappers\n"
                   "from shared.apis import x\n")
    assert _edge_imports(bad) == ["shared.api", "sqlalchemy.exc", "sqlalchemy.exc.IntegrityError",
                                  "werkzeug.wrappers"]


def _tree(name: str, module: str) -> ast.Module:
    return ast.parse((ROOT / "services" / name / module).read_text(encoding="utf-8"))


def _defined(tree: ast.Module) -> dict[str, ast.AST]:
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_every_service_follows_one_spine():
    """domain.py, api.py, a Context built by Context.build in handlers.py, handle_batch(uow, events, context)
    where it consumes events, and a service class whose `context` property builds the Context."""
    for name in SERVICES:
        handlers = _defined(_tree(name, "handlers.py"))
        assert (ROOT / "services" / name / "domain.py").exists() and (ROOT / "services" / name / "api.py").exists()
        context = handlers.get("Context")
        assert isinstance(context, ast.ClassDef) and "build" in _defined(context), name
        assert [a.arg for a in handlers["handle_batch"].args.args] == ["uow", "events", "context"], name
        service = _defined(_tree(name, "service.py"))["Service"]
        assert "Context.build(" in ast.unparse(_defined(service)["context"]), name


def test_only_the_store_commits():
    """Use cases never commit: entry points run them with store.run or process_new (shared/messaging.py)."""
    commits = [f"{p.relative_to(ROOT).as_posix()}:{node.lineno}" for p in sorted((ROOT / "services").rglob("*.py"))
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]
    assert commits == []


def test_http_errors_are_raised_at_the_edge_only():
    """Rules and use cases raise refusals (shared.errors); ApiError belongs to the HTTP edge: the api.py
    modules, the pages (`*_pages.py`, which show the edge's refusals to people), and the upload's blob store,
    which reads the request stream (413, 415)."""
    edge = {f"services/{name}/api.py" for name in SERVICES} | {"services/intake/files.py"}
    users = {p.relative_to(ROOT).as_posix() for p in (ROOT / "services").rglob("*.py")
             if "ApiError" in p.read_text(encoding="utf-8") and not p.name.endswith("_pages.py")}
    assert users - edge == set()


def test_a_batchs_rows_have_one_seam():
    """Repositories and use cases run their statements through the unit of work's rows (shared/rows.py, ADR
    0016), which write what the transaction holds before any statement that needs it: none reaches the session,
    and nothing hooks every Session or reads SQLAlchemy's private attributes to do that job."""
    sessions = [f"{p.relative_to(ROOT).as_posix()}:{node.lineno}" for p in sorted((ROOT / "services").rglob("*.py"))
                for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                if isinstance(node, ast.Attribute) and node.attr == "session"]
    assert sessions == []
    hooks = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "shared").rglob("*.py"))
             for marker in ("do_orm_execute", "_post_values_clause", "hold_writes")
             if marker in p.read_text(encoding="utf-8")]
    assert hooks == []
