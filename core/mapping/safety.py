"""Escaping for every user-supplied string that reaches a map.

branca renders folium's output twice: each element's macros are rendered, and the text they
produce is compiled as a new Jinja template and rendered again (branca.element.MacroElement
puts it in `Element(text)`). Whatever we embed must therefore contain no Jinja syntax at all:
both helpers below encode ``{`` and ``}`` (and, in JSON, ``%`` and ``#``) so that no ``{{``,
``{%`` or ``{#`` can survive into the second pass, whatever a user typed. The browser decodes
them back to the very text.

folium copies popup and tooltip HTML verbatim into JavaScript template strings (backticks), so a
location called ``${alert(1)}`` or ``</script><script>…`` would run. The builder therefore never
hands user text to folium: it ships data as JSON inside the page (`script_json`) and the browser
builds popups, tooltips and legends with ``textContent``. `escape_text` is for the rare caller who
must put a string into HTML or a template string itself.
"""

from __future__ import annotations

import json
import re
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
# Inside JSON strings only: these never appear in JSON's own syntax except the braces of
# objects, which cannot form template syntax ({" or {} or }, or }} closing two objects).
_TEMPLATE_SYNTAX_ESCAPES = str.maketrans(
    {"{": "\\u007b", "}": "\\u007d", "%": "\\u0025", "#": "\\u0023"}
)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_TEMPLATE_SYNTAX_CHARS = re.compile(r"[{}%#]")
# Backticks, dollars and backslashes for template strings; braces so no Jinja syntax remains.
_TEMPLATE_STRING_ESCAPES = {
    "`": "&#96;",
    "$": "&#36;",
    "\\": "&#92;",
    "{": "&#123;",
    "}": "&#125;",
}


def escape_text(value: Any) -> Markup:
    """VALUE as inert HTML text that is also inert inside a JavaScript template string.

    HTML special characters become entities, and so do backticks, dollar signs (so ``${`` can
    never open an interpolation), backslashes (so no escape sequence is formed) and braces (so
    no Jinja syntax reaches branca's second rendering).
    """
    text = str(escape("" if value is None else value))
    for char, entity in _TEMPLATE_STRING_ESCAPES.items():
        text = text.replace(char, entity)
    return Markup(text)


def script_json(value: Any) -> Markup:
    """VALUE as JSON that is safe inside an inline <script> element.

    No character of the output can close the element, start markup or form Jinja syntax
    (see the module's docstring), whatever the strings contain; the browser parses it back to
    exactly VALUE.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, replacement in _SCRIPT_JSON_ESCAPES.items():
        text = text.replace(char, replacement)
    return Markup(_JSON_STRING.sub(_without_template_syntax, text))


def _without_template_syntax(string_token: re.Match[str]) -> str:
    token = string_token.group()
    if not _TEMPLATE_SYNTAX_CHARS.search(token):
        return token
    return token.translate(_TEMPLATE_SYNTAX_ESCAPES)
