"""The guide site: one map from relative path to page, served by intake and exported as static files.

Paths (under /guides/): index.html, {code}/index.html, {code}/form/index.html, {code}/notice/index.html,
{code}/qr.svg: the Chinese edition; the same under mn/ for the Mongolian–Chinese edition (traditional Mongolian
beside the Chinese, ADR 0030). Pages link relatively, so the same bytes work served and exported; each page links
to the same page of the other edition.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from shared.catalog import Catalog
from shared.i18n import noting_drafts, using

from .data import matter_detail, matter_form
from .guide_page import render_guide
from .handbook import render_handbook
from .markup import Markup, el, pair, plain, t
from .qr import qr_inline, qr_svg
from .sheets import render_form, render_notice

HTML = "text/html; charset=utf-8"
SVG = "image/svg+xml"
EDITIONS = {"zh": "", "mn": "mn/"}  # language → path prefix under guides/


@dataclass(frozen=True)
class Page:
    """One file of the site: its path under guides/, its media type, and how to make its bytes."""

    path: str
    media_type: str
    make: Callable[[], bytes]


def site_pages(catalog: Catalog, base_url: str) -> list[Page]:
    """Every page of the site, the Chinese handbook first, then the Mongolian–Chinese edition."""
    pages = []
    for lang in EDITIONS:
        pages.append(handbook_page(catalog, lang))
        for code in catalog.matters:
            pages += matter_pages(catalog, base_url, code, lang)
    return pages


def switch_link(path: str, lang: str) -> Markup:
    """The relative link from `path` (in `lang`'s edition) to the same page of the other edition."""
    depth = path.count("/") + (1 if lang != "zh" else 0)
    up = "../" * depth
    if lang == "zh":
        return el("a", pair("ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ", "蒙古文"), href=f"{up}mn/{path}", class_="lang", hreflang="mn-Mong-CN")
    return el("a", "中文", href=f"{up}{path}", class_="lang", hreflang="zh-CN")


def draft_notice() -> Markup:
    """Said on a page of the Mongolian edition that shows a translation not yet reviewed."""
    return el("p", t("本页蒙古文为译文草稿，尚待旗语言文字工作部门审定；如有出入，以中文为准。"), class_="draft")


def rendered(lang: str, path: str, render: Callable[[Markup, Markup], str]) -> bytes:
    """`render(switch, notice)` in `lang`; the Mongolian edition gets the draft notice when it used a draft."""
    with using(lang):
        switch = switch_link(path, lang)
        if lang == "zh":
            return render(switch, Markup("")).encode()
        with noting_drafts() as drafts:
            render(switch, Markup(""))
        return render(switch, draft_notice() if drafts else Markup("")).encode()


def handbook_page(catalog: Catalog, lang: str = "zh") -> Page:
    return Page(EDITIONS[lang] + "index.html", HTML,
                lambda: rendered(lang, "index.html", lambda s, n: render_handbook(catalog, s, n)))


def matter_pages(catalog: Catalog, base_url: str, code: str, lang: str = "zh") -> list[Page]:
    def qr(detail: dict) -> Markup:
        return qr_inline(base_url, code, plain("{name}办事指南二维码", "zh", name=detail["name"]))

    def guide() -> bytes:
        detail = matter_detail(catalog, code)
        return rendered(lang, f"{code}/index.html", lambda s, n: render_guide(detail, qr(detail), s, n))

    def form() -> bytes:
        detail = matter_detail(catalog, code)
        blank = matter_form(catalog, code, detail["situations_applied"])
        return rendered(lang, f"{code}/form/index.html", lambda s, n: render_form(detail, blank, s, n))

    def notice() -> bytes:
        detail = matter_detail(catalog, code)
        return rendered(lang, f"{code}/notice/index.html", lambda s, n: render_notice(detail, qr(detail), s, n))

    prefix = EDITIONS[lang]
    return [Page(f"{prefix}{code}/index.html", HTML, guide), Page(f"{prefix}{code}/form/index.html", HTML, form),
            Page(f"{prefix}{code}/notice/index.html", HTML, notice),
            Page(f"{prefix}{code}/qr.svg", SVG, lambda: qr_svg(base_url, code))]


def find_page(catalog: Catalog, base_url: str, path: str) -> Page | None:
    """The page at `path` (relative to /guides/; a directory path means its index.html), or None."""
    wanted = path + "index.html" if path == "" or path.endswith("/") else path
    lang = next((lang for lang, prefix in EDITIONS.items() if prefix and wanted.startswith(prefix)), "zh")
    rest = wanted.removeprefix(EDITIONS[lang])
    code = rest.split("/", 1)[0]
    candidates = [handbook_page(catalog, lang)] + (matter_pages(catalog, base_url, code, lang)
                                                   if code in catalog.matters else [])
    return next((page for page in candidates if page.path == wanted), None)


def is_directory(catalog: Catalog, base_url: str, path: str) -> bool:
    """`path` names a page directory without its trailing slash (e.g. `newborn`, `newborn/form`, `mn`)."""
    return bool(path) and not path.endswith("/") and find_page(catalog, base_url, path + "/") is not None


def build_site(catalog: Catalog, directory: Path | str, base_url: str) -> list[Path]:
    """Write the site under `directory/guides/` (both editions); returns the files written."""
    root = Path(directory) / "guides"
    written = []
    for page in site_pages(catalog, base_url):
        target = root / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.make())
        written.append(target)
    return written


__all__ = ["EDITIONS", "Page", "build_site", "find_page", "is_directory", "site_pages"]
