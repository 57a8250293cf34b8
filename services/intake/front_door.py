"""The suite's front door (`/`): the applicant's online application, the staff sign-in, the guides; and the
suite's own stylesheet (`/static/<name>`), served here so no page needs a CDN."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from shared.config import Settings
from shared.i18n.web import chosen, remember, switch_links
from shared.staff import csrf_token, staff_principal
from shared.web.pages import render, static_file


def front_door(request: Request, settings: Settings) -> Response:
    """Signed in, the header names the person (and offers sign-out); otherwise the sign-in link."""
    who = staff_principal(request, settings)
    lang = chosen(request)
    return remember(request, render("front_door.html", principal=who, csrf=csrf_token(who) if who else "", lang=lang,
                                    lang_switch=switch_links(request, lang)))


def static(name: str) -> Response:
    return static_file(name)
