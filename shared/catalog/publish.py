"""Versioning: a draft catalog becomes published once lint passes; a published one is frozen by digest.

`python -m shared.catalog.publish [DIR]` publishes; `--draft VERSION` starts the next draft.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .catalog import Catalog
from .errors import CatalogError
from .lint import lint
from .loader import DATA_DIR, META_FILE, content_digest, load_catalog


def publish(directory: Path | str | None = None, today: dt.date | None = None) -> Catalog:
    """Publish the draft in `directory`; refuses when lint finds problems."""
    root = Path(directory) if directory is not None else DATA_DIR
    catalog = load_catalog(root)
    problems = lint(catalog)
    if problems:
        raise CatalogError(f"{root}: cannot publish {catalog.version}:\n" + "\n".join(map(str, problems)))
    _set_meta(root, status="published", published_on=(today or dt.date.today()).isoformat(),
              digest=content_digest(root))
    return load_catalog(root, require_published=True)


def start_draft(version: str, directory: Path | str | None = None) -> Catalog:
    """Open the next version as a draft (edits after publishing need a new version)."""
    root = Path(directory) if directory is not None else DATA_DIR
    if version == load_catalog(root).version:
        raise CatalogError(f"{root / META_FILE}: a new draft needs a new version, not {version}")
    _set_meta(root, version=version, status="draft", published_on=None, digest=None)
    return load_catalog(root)


def _set_meta(root: Path, **values: str | None) -> None:
    """Rewrite top-level keys of catalog.yaml in place, keeping its comments."""
    path = root / META_FILE
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        line = f'{key}: "{value}"' if value is not None else ""
        pattern = re.compile(rf"^{key}:.*$\n?", re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(line + "\n" if line else "", text, count=1)
        elif line:
            text = text.rstrip("\n") + "\n" + line + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.catalog.publish", description=__doc__)
    parser.add_argument("directory", nargs="?", help="catalog directory (default: the shipped catalog)")
    parser.add_argument("--draft", metavar="VERSION", help="start a new draft with this version instead")
    args = parser.parse_args(argv)
    try:
        catalog = start_draft(args.draft, args.directory) if args.draft else publish(args.directory)
    except CatalogError as exc:
        print(exc)
        return 1
    print(f"catalog {catalog.version} is now {catalog.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
