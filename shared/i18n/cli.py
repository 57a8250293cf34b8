"""`yici i18n extract|update|compile|check`: keep the translation files in step with the sources (ADR 0030)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import DOMAINS, TRANSLATED


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(prog="yici i18n", description=__doc__)
    found.add_argument("action", choices=["extract", "update", "compile", "check"],
                       help="extract: write the .pot templates; update: extract, then bring every .po in step; "
                            "compile: write .mo files; check: untranslated and unreviewed strings by file "
                            "(exit 1 on any untranslated string)")
    found.add_argument("--domain", choices=DOMAINS, action="append", help="only this domain (repeatable)")
    found.add_argument("--quiet", action="store_true", help="check: print only the totals and the problems")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    from . import catalogs
    args = parser().parse_args(argv)
    domains = args.domain or list(DOMAINS)
    if args.action in ("extract", "update"):
        for domain in domains:
            template = catalogs.extract(domain)
            print(f"yici i18n: {catalogs.shown(catalogs.write_template(domain, template))}: "
                  f"{len(template)} strings")
            if args.action == "update":
                for lang in TRANSLATED:
                    updated = catalogs.update(lang, domain, template)
                    path = catalogs.write_catalog(lang, domain, updated)
                    print(f"yici i18n: {catalogs.shown(path)}: {len(updated)} strings, "
                          f"{len(updated.obsolete)} obsolete")
        return 0
    if args.action == "compile":
        for domain in domains:
            for lang in TRANSLATED:
                print(f"yici i18n: wrote {catalogs.shown(catalogs.compile_mo(lang, domain))}")
        return 0
    reports = catalogs.check_all(TRANSLATED, domains)
    for report in reports:
        print("\n".join(report.lines(per_file=not args.quiet)))
    failed = [r for r in reports if not r.ok]
    if failed:
        print(f"yici i18n check: FAILED ({sum(len(r.untranslated) for r in failed)} untranslated, "
              f"{sum(len(r.placeholders) for r in failed)} with wrong placeholders): "
              "run `yici i18n update` and translate them")
        return 1
    print("yici i18n check: every string has its translation")
    return 0
