"""Read the catalog's YAML files into a validated Catalog.

Only structural problems (bad YAML, wrong shapes) fail loading; cross-references are lint's job,
so that lint can report every problem at once.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .catalog import Catalog, Redefinition
from .errors import CatalogError
from .model import Department, FormField, Item, Material, Matter

DATA_DIR = Path(__file__).parent / "data"
META_FILE = "catalog.yaml"
KINDS: dict[str, type[BaseModel]] = {
    "departments": Department,
    "fields": FormField,
    "materials": Material,
    "items": Item,
    "matters": Matter,
}


def load_catalog(directory: Path | str | None = None, *, require_published: bool = False) -> Catalog:
    """Load and validate the catalog in `directory` (default: the shipped data)."""
    root = Path(directory) if directory is not None else DATA_DIR
    if not root.is_dir():
        raise CatalogError(f"{root}: catalog directory not found")
    meta = _read_meta(root)
    if require_published and meta.get("status") != "published":
        raise CatalogError(f"{root / META_FILE}: catalog {meta.get('version')} is {meta.get('status')}, not published")
    parts, redefinitions = {}, []
    for kind, model in KINDS.items():
        parts[kind], found = _load_kind(root, kind, model)
        redefinitions += found
    return _build(root, meta, parts, redefinitions)


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()


def catalog_files(root: Path, kind: str) -> list[Path]:
    """`<kind>.yaml` then `<kind>/*.yaml`, in name order."""
    single = root / f"{kind}.yaml"
    return ([single] if single.is_file() else []) + sorted((root / kind).glob("*.yaml"))


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (yaml.YAMLError, OSError) as exc:
        raise CatalogError(f"{path}: cannot read YAML: {exc}") from exc


def _read_meta(root: Path) -> dict:
    path = root / META_FILE
    if not path.is_file():
        raise CatalogError(f"{path}: missing (needs version and status)")
    meta = read_yaml(path)
    if not isinstance(meta, dict) or not isinstance(meta.get("version"), str):
        raise CatalogError(f"{path}: needs a mapping with a string 'version' and a 'status'")
    return meta


def _load_kind(root: Path, kind: str, model: type[BaseModel]) -> tuple[dict, list[Redefinition]]:
    entities: dict[str, BaseModel] = {}
    origins: dict[str, list[str]] = {}
    different: set[str] = set()
    for path in catalog_files(root, kind):
        for code, body in _entries(path, kind).items():
            entity = _validate(path, kind, model, code, body)
            origins.setdefault(code, []).append(path.relative_to(root).as_posix())
            if code in entities and entities[code] != entity:
                different.add(code)
            entities.setdefault(code, entity)
    redefinitions = [
        Redefinition(kind=kind, code=code, files=files, same=code not in different)
        for code, files in origins.items() if len(files) > 1
    ]
    return entities, redefinitions


def _entries(path: Path, kind: str) -> dict:
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: {kind} file must be a mapping of code -> definition")
    return data


def _validate(path: Path, kind: str, model: type[BaseModel], code: Any, body: Any) -> BaseModel:
    if not isinstance(body, dict):
        raise CatalogError(f"{path}: {kind} {code!r}: definition must be a mapping")
    if "code" in body and body["code"] != code:
        raise CatalogError(f"{path}: {kind} {code!r}: 'code' says {body['code']!r}")
    try:
        return model.model_validate({**body, "code": code})
    except ValidationError as exc:
        raise CatalogError(f"{path}: {kind} {code!r}: {_describe(exc)}") from exc


def _build(root: Path, meta: dict, parts: dict, redefinitions: list[Redefinition]) -> Catalog:
    try:
        return Catalog(
            version=meta["version"], status=meta.get("status", "draft"),
            external_licenses=meta.get("external_licenses", []), redefinitions=redefinitions, source=str(root), **parts,
        )
    except ValidationError as exc:
        raise CatalogError(f"{root / META_FILE}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
    )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key(s) {', '.join(duplicates)}", node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
