"""The language of a public page: `?lang=zh|mn` (remembered in a cookie for a year), else the cookie, else the
case's language (the applicant's choice, stored with the case), else Chinese (ADR 0030)."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from markupsafe import Markup, escape
from werkzeug.wrappers import Request, Response

from . import COOKIE, DEFAULT, HTML_LANG, NAMES, language_of

YEAR = 365 * 24 * 3600


def chosen(request: Request, fallback: str | None = None) -> str:
    """The language the visitor asked for (query, then cookie), else `fallback`, else Chinese."""
    return (language_of(request.args.get("lang")) or language_of(request.cookies.get(COOKIE))
            or language_of(fallback) or DEFAULT)


def remember(request: Request, response: Response) -> Response:
    """Keep an explicit `?lang=` choice in the cookie, so every later public page opens in it."""
    asked = language_of(request.args.get("lang"))
    if asked and asked != language_of(request.cookies.get(COOKIE)):
        response.set_cookie(COOKIE, asked, max_age=YEAR, path="/", samesite="Lax", httponly=True)
    return response


def switch_links(request: Request | None, lang: str, keep: Mapping[str, str] | None = None) -> Markup:
    """The language switch of a public page: a link per language, the current one marked (aria-current)."""
    if request is None:
        return Markup("")
    params = {k: v for k, v in (keep if keep is not None else request.args).items() if k != "lang"}
    links = []
    for code, label in NAMES.items():
        href = "?" + urlencode({**params, "lang": code})
        current = ' aria-current="true"' if code == lang else ""
        links.append(f'<a href="{escape(href)}" hreflang="{HTML_LANG[code]}" lang="{HTML_LANG[code]}"'
                     f'{current}>{escape(label)}</a>')
    return Markup('<nav class="lang-switch" aria-label="语言 ᠬᠡᠯᠡ">' + " | ".join(links) + "</nav>")
