"""The page kit: Jinja2 templates rendered into werkzeug Responses.

Templates are looked up in each service's `services/<svc>/templates/` first, then in `shared/web/templates/`
(which holds `base.html`, the layout every page extends). Autoescaping is on. The i18n extension is enabled with
the suite's gettext catalogues (shared/i18n, ADR 0030): every user-facing string is written as
`{% trans %}…{% endtrans %}` or `_("…")` in Chinese and shown in the language of the block it is rendered in
(`with shared.i18n.using(lang):`, or `render(..., lang=...)`). `bi("…")` shows a text in Mongolian (vertical)
beside the Chinese when the language is Mongolian, for the applicant's pages; `html_lang` is the page's lang.

    from shared.web.pages import render
    return render("intake/worklist.html", principal=principal, csrf=csrf_token(principal), cases=rows)
"""
from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from shared import i18n

ROOT = Path(__file__).resolve().parents[2]
SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
HTML = "text/html"
# what /static/ serves: the stylesheets, the small scripts pages use (CSP: script-src 'self'), images
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One environment for the process: service templates first, then the shared ones."""
    loaders = [FileSystemLoader(str(ROOT / "services" / name / "templates")) for name in SERVICES]
    env = Environment(loader=ChoiceLoader([*loaders, FileSystemLoader(str(SHARED_TEMPLATES))]),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(bi=bilingual, html_lang=lambda: i18n.HTML_LANG[i18n.current()], lang=i18n.current)
    return env


def install_translations(env: Environment, translations: gettext.NullTranslations) -> None:
    """Install one fixed gettext catalogue instead of the suite's per-language ones (tests, tools)."""
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]


def bilingual(message: str, **values: object) -> Markup:
    """`message` (Chinese source, extracted as `bi`): Chinese alone, or Mongolian (vertical) beside Chinese."""
    fill: Callable[[str], str] = (lambda text: text % values) if values else (lambda text: text)
    zh = escape(fill(message))
    if i18n.current() == "zh":
        return zh
    mn = escape(fill(i18n.gettext(message)))
    return Markup(f'<span class="bi"><span class="mn" lang="{i18n.HTML_LANG["mn"]}">{mn}</span>'
                  f'<span class="zh" lang="zh-CN">{zh}</span></span>')


def render_text(template: str, lang: str | None = None, **context: Any) -> str:
    """The template rendered; in `lang` when given, else in the current language (Chinese by default)."""
    if lang is None:
        return environment().get_template(template).render(**context)
    with i18n.using(lang):
        return environment().get_template(template).render(**context)


def render(template: str, status: int = 200, headers: dict[str, str] | None = None, lang: str | None = None,
           **context: Any) -> Response:
    """The page `template` rendered with `context`, as an HTML response that no cache keeps (pages hold personal
    data). Pass `principal` (the signed-in person, or None) and `csrf` (its token) for the header's sign-out."""
    body = render_text(template, lang, **context)
    return Response(body, status=status, mimetype=HTML,
                    headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "Content-Security-Policy": "default-src 'self'; style-src 'self'; "
                                                        "script-src 'self'; frame-ancestors 'none'",
                             **(headers or {})})


def redirect(location: str) -> Response:
    """A 303 See Other (after a form POST, or to the sign-in page)."""
    return Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def static_file(name: str) -> Response:
    """A file of the shared static dir (CSS, scripts, images), or 404; never a path outside it."""
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        return Response("not found", status=404, mimetype="text/plain")
    kind = STATIC_TYPES.get(path.suffix, "application/octet-stream")
    return Response(path.read_bytes(), mimetype=kind, headers={"Cache-Control": "public, max-age=3600"})
