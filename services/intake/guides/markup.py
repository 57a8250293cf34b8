"""A tiny HTML builder: every string is escaped unless it is already `Markup`."""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from string import Template

from shared.i18n import HTML_LANG, catalog_name, current, gettext, translate_in

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


def table(headers: Sequence[str], rows: Iterable[Iterable], **attrs) -> Markup:
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


class Name(str):
    """A catalog name (matter, item, material, department) inside a translated text: shown in each language."""


class Label(str):
    """A translatable label (a Chinese source string, e.g. from labels.py) inside a translated text."""


def _value(value: object, lang: str) -> object:
    if isinstance(value, Name):
        return catalog_name(value, lang)
    if isinstance(value, Label):
        return translate_in(lang, value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(_value(v, lang)) for v in value)
    return value


def plain(message: str, lang: str, **values: object) -> str:
    """`message` (a Chinese source string) as text in `lang`, its {placeholders} filled in."""
    text = translate_in(lang, message) if lang != "zh" else message
    return text.format(**{k: _value(v, lang) for k, v in values.items()}) if values else text


def bilingual() -> bool:
    """Is the page being rendered the Mongolian–Chinese edition (else: the Chinese one)?"""
    return current() != "zh"


def pair(mn: object, zh: object) -> Markup:
    """Mongolian (vertical, top to bottom, columns left to right) beside Chinese."""
    return el("span", el("span", mn, class_="mn", lang=HTML_LANG["mn"]), el("span", zh, class_="zh"), class_="bi")


def t(message: str, **values: object) -> Markup:
    """A Chinese source string (extracted as `t`), in the page's language(s): Chinese alone in the Chinese
    edition, Mongolian beside Chinese in the Mongolian one. Values: `Name` (catalog), `Label` (translated)."""
    zh = plain(message, "zh", **values)
    if not bilingual():
        return esc(zh)
    return pair(plain(message, current(), **values), zh)


def name(value: str) -> Markup:
    """A catalog name, with its Mongolian in the Mongolian edition."""
    return pair(catalog_name(value), value) if bilingual() else esc(value)


def lbl(value: str) -> Markup:
    """A label (Chinese source string marked with N_), with its Mongolian in the Mongolian edition."""
    return pair(gettext(value), value) if bilingual() else esc(value)


def names(values: Iterable[str], sep: str = "、", empty: str = "") -> Markup:
    """Several catalog names joined (each pair on its own in the Mongolian edition)."""
    found = [name(v) for v in values]
    if not found:
        return t(empty) if empty else Markup("")
    return join([part for n, v in enumerate(found) for part in ([sep, v] if n else [v])])


def page(title: str | Markup, body: Markup, *, subtitle: str | Markup = "", nav: Markup = Markup(""),
         footer: str | Markup = "", kind: str = "guide", text_title: str = "", switch: Markup = Markup(""),
         notice: Markup = Markup("")) -> str:
    """A whole HTML document (UTF-8, A4 print stylesheet inlined): Chinese, or the Mongolian–Chinese edition
    (`text_title` is the <title> text when `title` is markup; `switch` the other language's link)."""
    edition = current()
    return PAGE.substitute(title=esc(title), text_title=esc(text_title or title), subtitle=esc(subtitle),
                           style=STYLE, nav=join([nav, switch]), body=join([notice, body]), footer=esc(footer),
                           kind=esc(kind), lang=HTML_LANG["zh"] if edition == "zh" else "zh-CN", edition=" bilingual" if edition != "zh" else "",
                           issuer=t("内蒙古自治区鄂尔多斯市乌审旗 · 一件事一次办"))
