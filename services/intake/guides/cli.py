"""`yici guides build DIR`: export the guide site as static files."""
from __future__ import annotations

from shared.catalog import default_catalog
from shared.config import load_settings

from .site import build_site


def build(directory: str, base_url: str | None = None, config: str | None = None) -> int:
    """Write DIR/guides/…; QR codes link to `base_url` (default: the configuration's public_base_url)."""
    base_url = base_url or load_settings(config).base_url("intake")
    written = build_site(default_catalog(), directory, base_url)
    print(f"yici: wrote {len(written)} files under {directory}/guides (QR codes link to {base_url})")
    return 0
