"""A tiny HTML builder: every string is escaped unless it is already `Markup`."""
from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from string import Template

HERE = Path(__file__).parent
PAGE = Template((HERE / "page.html").read_text(encoding="utf-8"))
STYLE = (HERE / "style.css").read_text(encoding="utf-8")
VOID = {"br", "hr", "img", "meta", "link"}


class Markup(str):
    """HTML that is already safe to emit."""


def esc(value) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable) -> Markup:
    return Markup("".join(esc(part) for part in parts if part is not None))


def el(tag: str, *children, **attrs) -> Markup:
    """`<tag attrs>children</tag>`; `class_` becomes `class`; a None or False attribute is left out."""
    rendered = "".join(f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"'
                       for name, value in attrs.items() if value is not None and value is not False)
    if tag in VOID:
        return Markup(f"<{tag}{rendered}>")
    return Markup(f"<{tag}{rendered}>{join(children)}</{tag}>")


def table(headers: list[str], rows: Iterable[Iterable], **attrs) -> Markup:
    head = el("thead", el("tr", *(el("th", h, scope="col") for h in headers)))
    body = el("tbody", *(el("tr", *(el("td", cell) for cell in row)) for row in rows))
    return el("table", head, body, **attrs)


def facts(pairs: Iterable[tuple[str, object]], **attrs) -> Markup:
    """A two-column table of label → value."""
    rows = (el("tr", el("th", name, scope="row"), el("td", value)) for name, value in pairs)
    return el("table", el("tbody", *rows), **attrs)


def nowrap(value) -> Markup:
    """A short cell value that must not break across lines (days, counts, specs)."""
    return el("span", value, class_="nw")


def bullets(values: Iterable, **attrs) -> Markup:
    return el("ul", *(el("li", v) for v in values), **attrs)


def section(title: str, *children, id: str | None = None) -> Markup:
    return el("section", el("h2", title), *children, id=id)


def page(title: str, body: Markup, *, subtitle: str = "", nav: Markup = Markup(""),
         footer: str = "", kind: str = "guide") -> str:
    """A whole HTML document (zh-CN, UTF-8, A4 print stylesheet inlined)."""
    return PAGE.substitute(title=esc(title), subtitle=esc(subtitle), style=STYLE, nav=nav, body=body,
                           footer=esc(footer), kind=esc(kind))
