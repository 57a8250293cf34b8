"""Keeping the translation files in step with the sources (Babel): extract, update, compile, check.

- extract: the source strings into `locales/<domain>.pot` (Python `_()`/`N_()`, Jinja `{% trans %}`/`_()`, and the
  catalog's names from shared/catalog/data for the `catalog` domain);
- update: each language's .po from the template: new strings come in untranslated, gone ones go to the end as
  obsolete (`#~`), nothing is guessed (no fuzzy matching: `fuzzy` means only "a draft awaiting review");
- compile: the .mo files (for packagers; the suite itself compiles the .po in memory);
- check: per source file, how many strings are reviewed, drafts (fuzzy) or untranslated; a failure when any
  string is untranslated or a translation drops or invents a `{placeholder}`.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAINS, LOCALES, LOCALES_DIR, TRANSLATED, po_path

ROOT = LOCALES_DIR.parents[2]
PYTHON = "shared.i18n.extractors:extract_python_ast"
# (directory under ROOT, Babel method map) per domain; the guide page shell (page.html) is a string.Template
METHODS: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    "messages": [
        ("shared", [("i18n/**.py", "ignore"), ("**.py", PYTHON), ("web/templates/**.html", "jinja2")]),
        ("services", [("**/templates/**.html", "jinja2"), ("**.py", PYTHON)]),
    ],
    "catalog": [
        ("shared/catalog/data", [("catalog.yaml", "ignore"),
                                 ("**.yaml", "shared.i18n.extractors:extract_catalog_yaml")]),
    ],
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
PROJECT = "yici"
# `t("…")` is the guide pages' translated text (services/intake/guides/markup.py), `bi("…")` the templates' one
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "bi": None}
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)[^{}]*\}|%\(([a-z_][a-z0-9_]*)\)s")


def pot_path(domain: str) -> Path:
    from . import LOCALES_DIR as current  # looked up at each call: tests point it elsewhere
    return current / f"{domain}.pot"


def shown(path: Path) -> str:
    """A path as printed: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def extract(domain: str) -> Catalog:
    """The template of `domain`, freshly extracted from the sources (locations relative to the repository)."""
    template = Catalog(project=PROJECT, charset="utf-8", fuzzy=False)
    for directory, method_map in METHODS[domain]:
        options = {pattern: (JINJA_OPTIONS if method == "jinja2" else {}) for pattern, method in method_map}
        for filename, lineno, message, comments, context in extract_from_dir(
                str(ROOT / directory), method_map, options, keywords=KEYWORDS, strip_comment_tags=True):
            if not message or isinstance(message, tuple) and not all(message):
                continue
            flags = ("python-brace-format",) if PLACEHOLDER.search(message if isinstance(message, str)
                                                                   else message[0]) else ()
            template.add(message, None, [(f"{directory}/{filename}", lineno)], auto_comments=comments,
                         context=context, flags=flags)
    return template


def write_template(domain: str, template: Catalog) -> Path:
    path = pot_path(domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, template, width=120, omit_header=False, sort_output=False, sort_by_file=True)
    return path


def read_catalog(lang: str, domain: str) -> Catalog:
    path = po_path(lang, domain)
    if not path.is_file():
        return Catalog(locale=LOCALES[lang], domain=domain, project=PROJECT, fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALES[lang], domain=domain)


def write_catalog(lang: str, domain: str, catalog: Catalog) -> Path:
    path = po_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=120, sort_by_file=True, include_previous=False)
    return path


def update(lang: str, domain: str, template: Catalog) -> Catalog:
    """The .po of `lang` brought in step with `template`; never guesses (no fuzzy matching)."""
    catalog = read_catalog(lang, domain)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, keep_user_comments=True)
    catalog.fuzzy = False
    return catalog


def compile_mo(lang: str, domain: str) -> Path:
    catalog = read_catalog(lang, domain)
    target = po_path(lang, domain).with_suffix(".mo")
    with target.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)
    return target


@dataclass
class FileCount:
    strings: int = 0
    reviewed: int = 0
    drafts: int = 0
    untranslated: int = 0


@dataclass
class Report:
    """What `check` found for one language and domain."""

    lang: str
    domain: str
    files: dict[str, FileCount] = field(default_factory=lambda: defaultdict(FileCount))
    untranslated: list[tuple[str, str]] = field(default_factory=list)  # (file:line, source string)
    placeholders: list[tuple[str, str]] = field(default_factory=list)
    obsolete: int = 0
    total: FileCount = field(default_factory=FileCount)  # each source string once (a file row counts its own)

    @property
    def ok(self) -> bool:
        return not self.untranslated and not self.placeholders

    def lines(self, per_file: bool = True) -> list[str]:
        """The report: a row per source file (unless not `per_file`), the totals, then each problem."""
        out = [] if not per_file else [f"{LOCALES[self.lang]} {self.domain}: {'file':<48} {'strings':>7} {'reviewed':>8} {'drafts':>6} "
               f"{'missing':>7}"]
        for name, count in sorted(self.files.items()) if per_file else []:
            out.append(f"{LOCALES[self.lang]} {self.domain}: {name:<48} {count.strings:>7} {count.reviewed:>8} "
                       f"{count.drafts:>6} {count.untranslated:>7}")
        total = self.total
        share = 100 * total.reviewed / total.strings if total.strings else 100.0
        out.append(f"{LOCALES[self.lang]} {self.domain}: {total.strings} strings, {total.reviewed} reviewed "
                   f"({share:.0f}%), {total.drafts} drafts awaiting review, {total.untranslated} untranslated"
                   + (f", {self.obsolete} obsolete" if self.obsolete else ""))
        out += [f"untranslated: {where}: {text!r}" for where, text in self.untranslated]
        out += [f"placeholders differ: {where}: {text!r}" for where, text in self.placeholders]
        return out


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def check(lang: str, domain: str, template: Catalog | None = None) -> Report:
    """Compare the sources (`template`, extracted afresh by default) with the .po of `lang`."""
    template = template if template is not None else extract(domain)
    catalog = read_catalog(lang, domain)
    report = Report(lang, domain)
    report.obsolete = len(catalog.obsolete)
    for message in template:
        if not message.id:
            continue
        files = sorted({path for path, _line in message.locations}) or ["?"]
        where = ", ".join(f"{p}:{n}" for p, n in message.locations) or "?"
        found = catalog.get(message.id, message.context)
        translated = found is not None and all(_strings(found.string)) and bool(_strings(found.string))
        for count in [report.total, *(report.files[path] for path in files)]:
            count.strings += 1
            if not translated:
                count.untranslated += 1
            elif found is not None and found.fuzzy:
                count.drafts += 1
            else:
                count.reviewed += 1
        if not translated or found is None:
            report.untranslated.append((where, _key(message.id)))
            continue
        wanted = {"".join(m) for text in _strings(message.id) for m in PLACEHOLDER.findall(text)}
        given = {"".join(m) for text in _strings(found.string) for m in PLACEHOLDER.findall(text)}
        if wanted != given:
            report.placeholders.append((where, _key(message.id)))
    return report


def check_all(langs: Iterable[str] = TRANSLATED, domains: Iterable[str] = DOMAINS) -> list[Report]:
    return [check(lang, domain) for domain in domains for lang in langs]
