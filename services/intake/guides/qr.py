"""QR codes (二维码) linking to a guide's public URL, as SVG made by segno."""
from __future__ import annotations

import io

import segno

from .markup import Markup


def guide_url(base_url: str, code: str) -> str:
    """The public address of a guide: `{public_base_url}/guides/{code}`."""
    return f"{base_url.rstrip('/')}/guides/{code}"


def qr_svg(base_url: str, code: str) -> bytes:
    """A standalone SVG document (with XML declaration) for the guide's URL."""
    buffer = io.BytesIO()
    _symbol(base_url, code).save(buffer, kind="svg", scale=4, title=guide_url(base_url, code))
    return buffer.getvalue()


def qr_inline(base_url: str, code: str, label: str) -> Markup:
    """The same symbol as an inline `<svg>` element for HTML pages."""
    svg = _symbol(base_url, code).svg_inline(scale=4, title=label, omitsize=True, svgclass="qr-code",
                                             lineclass=None)
    return Markup(svg)


def _symbol(base_url: str, code: str) -> segno.QRCode:
    return segno.make(guide_url(base_url, code), error="m", micro=False)
