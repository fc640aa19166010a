"""Pages of a list the API answers (`limit`, `offset`): the links to this page and the next
and previous ones, as OGC API – Features and the location search write them."""

from __future__ import annotations

from flask import request, url_for

from core.validation import GEOJSON


def _page_link(rel: str, offset: int, media_type: str) -> dict[str, str]:
    args = request.args.to_dict(flat=False)
    args["offset"] = [str(offset)]
    href = url_for(request.endpoint or "", _external=True, **(request.view_args or {}), **args)
    return {"rel": rel, "type": media_type, "href": href}


def page_links(
    offset: int, limit: int, matched: int, media_type: str = GEOJSON
) -> list[dict[str, str]]:
    """Links `self`, and `next` and `prev` where there are such pages, of this request."""
    links = [_page_link("self", offset, media_type)]
    if offset + limit < matched:
        links.append(_page_link("next", offset + limit, media_type))
    if offset > 0:
        links.append(_page_link("prev", max(0, offset - limit), media_type))
    return links
