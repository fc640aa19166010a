"""HTTP caching of /ogc: validators (ETag, Last-Modified), 304 answers and Cache-Control.

GIS clients and portals poll the same pages again and again; a 304 spares them the download.
The ETag of a page of features is a digest of its content without `timeStamp` (the time of
the answer, which changes every second while the features do not), so it is weak: the same
features, not the same bytes. Pages whose content can depend on the visitor's session (the
HTML header shows who is signed in; a chosen language) are `private`; the rest is `public`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import request, session
from werkzeug.wrappers import Response

from core.caching import conditional

MAX_AGE_SECONDS = 60  # an approved shoot or a published location shows within a minute
HTML = "text/html"


def tag(response: Response, data: dict[str, Any]) -> None:
    """A weak ETag for the JSON of DATA, leaving out its timeStamp. Pages get none: each one
    carries a new CSP nonce, so no two are alike."""
    if response.mimetype == HTML:
        return
    stable = {key: value for key, value in data.items() if key != "timeStamp"}
    text = json.dumps(stable, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{response.mimetype}\n{text}".encode()).hexdigest()[:32]
    response.set_etag(digest, weak=True)


def cache_headers(response: Response) -> Response:
    """Cache-Control on every successful read, an ETag on JSON documents that have none yet
    (a digest of the body: core.caching), and a 304 when the client's copy is current."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    # Signed in or a chosen language: the answer may be this visitor's own.
    private = bool(session)
    if response.mimetype != HTML:  # pages get no ETag: each carries a new CSP nonce
        return conditional(response, private=private, max_age=MAX_AGE_SECONDS)
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_SECONDS
    return response
