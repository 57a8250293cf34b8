"""The page kit: Jinja2 templates rendered into werkzeug Responses.

Templates are looked up in each service's `services/<svc>/templates/` first, then in `shared/web/templates/`
(which holds `base.html`, the layout every page extends). Autoescaping is on. The i18n extension is enabled with
null translations: every user-facing string is written as `{% trans %}…{% endtrans %}` or `_("…")` in Chinese, so
that Babel/gettext catalogues can be installed later (`install_translations`) without touching the templates.

    from shared.web.pages import render
    return render("intake/worklist.html", principal=principal, csrf=csrf_token(principal), cases=rows)
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

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
    install_translations(env, gettext.NullTranslations())
    return env


def install_translations(env: Environment, translations: gettext.NullTranslations) -> None:
    """Install a gettext catalogue (issue 20: Babel); until then the Chinese source strings are shown."""
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    """The page `template` rendered with `context`, as an HTML response that no cache keeps (pages hold personal
    data). Pass `principal` (the signed-in person, or None) and `csrf` (its token) for the header's sign-out."""
    body = render_text(template, **context)
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
