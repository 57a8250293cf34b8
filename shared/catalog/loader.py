"""Read the catalog's YAML files into a validated Catalog.

Only structural problems (bad YAML, wrong shapes) fail loading; cross-references are lint's job,
so that lint can report every problem at once.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    parts, redefinitions = {}, []
    for kind, model in KINDS.items():
        parts[kind], found = _load_kind(root, kind, model)
        redefinitions += found
    catalog = _build(root, meta, parts, redefinitions)
    if require_published:
        _check_published(root, catalog)
    return catalog


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process (`default_catalog.cache_clear()` reloads)."""
    return load_catalog()


def catalog_files(root: Path, kind: str) -> list[Path]:
    """`<kind>.yaml` then `<kind>/*.yaml`, in name order."""
    single = root / f"{kind}.yaml"
    return ([single] if single.is_file() else []) + sorted((root / kind).glob("*.yaml"))


def content_digest(root: Path) -> str:
    """sha256 over every data file except catalog.yaml (names and bytes, in load order)."""
    digest = hashlib.sha256()
    for kind in KINDS:
        for path in catalog_files(root, kind):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (yaml.YAMLError, OSError) as exc:
        raise CatalogError(f"{path}: cannot read YAML: {exc}") from exc


def _read_meta(root: Path) -> CatalogMeta:
    path = root / META_FILE
    if not path.is_file():
        raise CatalogError(f"{path}: missing (needs version and status)")
    try:
        return CatalogMeta.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise CatalogError(f"{path}: {_describe(exc)}") from exc


def _load_kind(root: Path, kind: str, model: type[BaseModel]) -> tuple[dict[str, BaseModel], list[Redefinition]]:
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


def _entries(path: Path, kind: str) -> dict[str, Any]:
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


class CatalogMeta(BaseModel):
    """catalog.yaml: the version header of the data."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1)
    status: Literal["draft", "published"] = "draft"
    division: str | None = None
    published_on: dt.date | None = None
    digest: str | None = None
    external_licenses: list[str] = []


def _build(root: Path, meta: CatalogMeta, parts: dict[str, Any], redefinitions: list[Redefinition]) -> Catalog:
    return Catalog(
        version=meta.version, status=meta.status, external_licenses=meta.external_licenses,
        published_on=meta.published_on and meta.published_on.isoformat(), digest=meta.digest,
        content_digest=content_digest(root), redefinitions=redefinitions, source=str(root), **parts,
    )


def _check_published(root: Path, catalog: Catalog) -> None:
    if not catalog.published:
        raise CatalogError(f"{root / META_FILE}: catalog {catalog.version} is {catalog.status}, not published")
    if catalog.changed_since_published:
        raise CatalogError(f"{root}: data changed after {catalog.version} was published; start a new draft version")


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
    )


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that refuses duplicate keys instead of silently keeping the last."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key(s) {', '.join(duplicates)}", node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
