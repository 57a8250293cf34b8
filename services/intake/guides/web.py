"""HTTP responses of the guide site for intake's `/guides` routes (werkzeug responses, no framework)."""
from __future__ import annotations

from werkzeug.wrappers import Response

from shared.catalog import Catalog

from .markup import el, page, t
from .site import find_page, is_directory


def guide_response(catalog: Catalog, base_url: str, path: str) -> Response:
    """The page at /guides/{path}; a directory without its slash redirects; anything else is a 404 page."""
    if is_directory(catalog, base_url, path):
        return Response(status=308, headers={"Location": path.rsplit("/", 1)[-1] + "/"})
    found = find_page(catalog, base_url, path)
    if found is None:
        return Response(not_found_page(path), status=404, content_type="text/html; charset=utf-8")
    return Response(found.make(), content_type=found.media_type,
                    headers={"Cache-Control": "public, max-age=300"})


def not_found_page(path: str) -> str:
    body = el("p", t("未找到该页面。请返回"), el("a", t("办事指南一本通"), href="/guides/"), t("查看全部事项。"))
    return page(t("未找到页面"), body, subtitle=f"/guides/{path}", kind="not-found", text_title="未找到页面")
