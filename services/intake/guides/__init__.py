"""Guides published from the catalog (同源发布): data for the API, HTML pages, QR codes, a static export."""
from .data import matter_detail, matter_form
from .site import build_site, site_pages
from .web import guide_response

__all__ = ["build_site", "guide_response", "matter_detail", "matter_form", "site_pages"]
