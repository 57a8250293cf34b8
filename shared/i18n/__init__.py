"""The suite's two languages (ADR 0030): Chinese (zh_Hans_CN, the source) and traditional Mongolian script
(mn_Mong_CN, the Mongolian of Inner Mongolia written vertically, U+1800–U+18AF).

Every user-facing string is written in Chinese and passed through gettext (`_("…")` in Python, `{% trans %}` or
`_()` in Jinja). The Mongolian catalogues are gettext .po files under `shared/i18n/locales/mn_Mong_CN/LC_MESSAGES/`:
`messages.po` for the interface, printed documents and SMS texts, `catalog.po` for the catalog's names (matters,
items, materials, departments). A translation marked `fuzzy` is a draft awaiting review by the banner's language
office; it is shown (so the pages are bilingual today) and the documents that show one say so. The .po files are
compiled in memory when first used (no .mo file is needed; `yici i18n compile` writes them for packagers).

    from shared.i18n import _, using
    with using("mn"):
        _("办事指南")          # → ᠠᠯᠪᠠᠨ ᠬᠡᠷᠡᠭ ᠪᠠᠷᠢᠬᠤ ᠵᠢᠭᠠᠪᠤᠷᠢ (a draft)
"""
from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT = "zh"
# the short codes of the API, the ?lang= switch, the cookie and the case's stored choice → gettext locale
LOCALES = {"zh": "zh_Hans_CN", "mn": "mn_Mong_CN"}
HTML_LANG = {"zh": "zh-CN", "mn": "mn-Mong-CN"}
NAMES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ"}
DOMAINS = ("messages", "catalog")
TRANSLATED = ("mn",)  # the languages that have catalogues (Chinese is the source)
COOKIE = "yici_lang"
MONGOLIAN = range(0x1800, 0x18B0)


def language_of(value: object) -> str | None:
    """The short code for `zh`/`mn` or a locale name (`mn_Mong_CN`, `mn-Mong-CN`, `zh-CN`), else None."""
    if not isinstance(value, str) or not value:
        return None
    head = value.strip().replace("-", "_").split("_", 1)[0].lower()
    return head if head in LOCALES else None


def has_mongolian(text: str) -> bool:
    return any(ord(ch) in MONGOLIAN for ch in text)


class Catalogue(_gettext.GNUTranslations):
    """A compiled catalogue that also knows which of its translations are drafts (fuzzy)."""

    def __init__(self, mo: bytes | None = None, drafts: frozenset[str] = frozenset()) -> None:
        _gettext.GNUTranslations.__init__(self, io.BytesIO(mo) if mo is not None else None)
        self.drafts = drafts

    def gettext(self, message: str) -> str:
        translated = super().gettext(message)
        if message in self.drafts and translated != message:
            used = _drafts_used.get()
            if used is not None:
                used.add(message)
        return translated


def po_path(lang: str, domain: str = "messages") -> Path:
    return LOCALES_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=None)
def translations(lang: str, domain: str = "messages") -> _gettext.NullTranslations:
    """The catalogue of `lang` (NullTranslations for the source language, or when it has no .po yet)."""
    if lang not in TRANSLATED or not po_path(lang, domain).is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po_path(lang, domain).open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang], domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)  # drafts are shown, and said to be drafts
    drafts = frozenset(m.id for m in catalog if m.id and m.fuzzy and m.string and isinstance(m.id, str))
    return Catalogue(buffer.getvalue(), drafts)


_current: ContextVar[str] = ContextVar("yici_language", default=DEFAULT)
_drafts_used: ContextVar[set[str] | None] = ContextVar("yici_drafts_used", default=None)


def current() -> str:
    return _current.get()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Translate into `lang` (a short code; None or unknown: Chinese) inside the block."""
    chosen = language_of(lang) or DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


@contextmanager
def noting_drafts() -> Iterator[set[str]]:
    """Collect the source strings whose draft (unreviewed) translation was used inside the block."""
    used: set[str] = set()
    token = _drafts_used.set(used)
    try:
        yield used
    finally:
        _drafts_used.reset(token)


def gettext(message: str) -> str:
    """`message` (Chinese source) in the current language."""
    return translations(current()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction only; translate it where it is shown (`_(TABLE[code])`)."""
    return message


def translate_in(lang: str | None, message: str) -> str:
    with using(lang):
        return gettext(message)


def catalog_name(name: str, lang: str | None = None) -> str:
    """A catalog name (matter, item, material, department) in `lang` (default: the current language)."""
    chosen = language_of(lang) or current()
    return translations(chosen, "catalog").gettext(name)
