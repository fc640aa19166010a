"""HTTP validators and Cache-Control for reads: an ETag, Last-Modified where the data knows
it, and 304 when the client's copy is current (If-None-Match, else If-Modified-Since).

Clients poll the same documents again and again (GIS software the OGC pages, calendar apps
the iCalendar feeds); a 304 spares them the download. The answer is computed — and the caller
authorised — before the comparison, so a 304 is never a way around the access checks.
"""

from __future__ import annotations

from datetime import datetime

from flask import request
from werkzeug.wrappers import Response


def conditional(
    response: Response,
    *,
    private: bool,
    max_age: int | None = None,
    last_modified: datetime | None = None,
) -> Response:
    """RESPONSE with an ETag (a digest of its body, unless it has one), LAST_MODIFIED, and
    Cache-Control: PRIVATE ones are for the caller's own cache only; without MAX_AGE the
    cache asks again every time (`no-cache`), so each read is authorised anew. A 304 when the
    request's validators match."""
    if response.get_etag()[0] is None:
        response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    if max_age is None:
        response.cache_control.no_cache = True
    else:
        response.cache_control.max_age = max_age
    return response.make_conditional(request)
