"""The guide site: one map from relative path to page, served by intake and exported as static files.

Paths (under /guides/): index.html, {code}/index.html, {code}/form/index.html, {code}/notice/index.html,
{code}/qr.svg. Pages link relatively, so the same bytes work served and exported.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from shared.catalog import Catalog

from .data import matter_detail, matter_form
from .guide_page import render_guide
from .handbook import render_handbook
from .qr import qr_inline, qr_svg
from .sheets import render_form, render_notice

HTML = "text/html; charset=utf-8"
SVG = "image/svg+xml"


@dataclass(frozen=True)
class Page:
    """One file of the site: its path under guides/, its media type, and how to make its bytes."""

    path: str
    media_type: str
    make: Callable[[], bytes]


def site_pages(catalog: Catalog, base_url: str) -> list[Page]:
    """Every page of the site, the handbook first."""
    pages = [handbook_page(catalog)]
    for code in catalog.matters:
        pages += matter_pages(catalog, base_url, code)
    return pages


def handbook_page(catalog: Catalog) -> Page:
    return Page("index.html", HTML, lambda: render_handbook(catalog).encode())


def matter_pages(catalog: Catalog, base_url: str, code: str) -> list[Page]:
    def guide() -> bytes:
        detail = matter_detail(catalog, code)
        return render_guide(detail, qr_inline(base_url, code, f"{detail['name']}办事指南二维码")).encode()

    def form() -> bytes:
        detail = matter_detail(catalog, code)
        return render_form(detail, matter_form(catalog, code, detail["situations_applied"])).encode()

    def notice() -> bytes:
        detail = matter_detail(catalog, code)
        return render_notice(detail, qr_inline(base_url, code, f"{detail['name']}办事指南二维码")).encode()

    return [Page(f"{code}/index.html", HTML, guide), Page(f"{code}/form/index.html", HTML, form),
            Page(f"{code}/notice/index.html", HTML, notice), Page(f"{code}/qr.svg", SVG, lambda: qr_svg(base_url, code))]


def find_page(catalog: Catalog, base_url: str, path: str) -> Page | None:
    """The page at `path` (relative to /guides/; a directory path means its index.html), or None."""
    wanted = path + "index.html" if path == "" or path.endswith("/") else path
    code = wanted.split("/", 1)[0]
    candidates = [handbook_page(catalog)] + (matter_pages(catalog, base_url, code) if code in catalog.matters else [])
    return next((page for page in candidates if page.path == wanted), None)


def is_directory(catalog: Catalog, base_url: str, path: str) -> bool:
    """`path` names a page directory without its trailing slash (e.g. `newborn` or `newborn/form`)."""
    return bool(path) and not path.endswith("/") and find_page(catalog, base_url, path + "/") is not None


def build_site(catalog: Catalog, directory: Path | str, base_url: str) -> list[Path]:
    """Write the site under `directory/guides/`; returns the files written."""
    root = Path(directory) / "guides"
    written = []
    for page in site_pages(catalog, base_url):
        target = root / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.make())
        written.append(target)
    return written
