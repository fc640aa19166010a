"""Escaping for every user-supplied string that reaches a map.

folium copies popup and tooltip HTML verbatim into JavaScript template strings (backticks), so a
location called ``${alert(1)}`` or ``</script><script>…`` would run. The builder therefore never
hands user text to folium: it ships data as JSON inside the page (`script_json`) and the browser
builds popups, tooltips and legends with ``textContent``. `escape_text` is for the rare caller who
must put a string into HTML or a template string itself.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape

# Characters that end a <script> element, open an HTML comment or entity, or end a JavaScript
# string literal early (U+2028/2029 are line terminators in older engines).
_SCRIPT_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_TEMPLATE_STRING_ESCAPES = {"`": "&#96;", "$": "&#36;", "\\": "&#92;"}


def escape_text(value: Any) -> Markup:
    """VALUE as inert HTML text that is also inert inside a JavaScript template string.

    HTML special characters become entities, and so do backticks, dollar signs (so ``${`` can
    never open an interpolation) and backslashes (so no escape sequence is formed).
    """
    text = str(escape("" if value is None else value))
    for char, entity in _TEMPLATE_STRING_ESCAPES.items():
        text = text.replace(char, entity)
    return Markup(text)


def script_json(value: Any) -> Markup:
    """VALUE as JSON that is safe inside an inline <script> element.

    No character of the output can close the element or start markup, whatever the strings
    contain; the browser parses it back to exactly VALUE.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, replacement in _SCRIPT_JSON_ESCAPES.items():
        text = text.replace(char, replacement)
    return Markup(text)
