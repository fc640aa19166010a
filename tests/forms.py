"""Reading a form page back as a person would: the errors under a field, what a field holds.

The form macros (templates/_forms.html) give each error the id `<field id>-error-<n>` and mark
the field aria-invalid, described by its first error.
"""

from __future__ import annotations

import html
import json
import re

LANGUAGES = ("fr", "de")


def errors_of(page: str, field_id: str) -> list[str]:
    """The error texts shown under the field FIELD_ID, unescaped."""
    pattern = rf'<small class="error" id="{re.escape(field_id)}-error-\d+">(.*?)</small>'
    return [html.unescape(text) for text in re.findall(pattern, page, re.S)]


def input_tag(page: str, field_id: str) -> str:
    """The opening tag of the input, select or textarea FIELD_ID."""
    found = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert found, f"no field {field_id!r} on the page"
    return found.group(0)


def is_marked_invalid(page: str, field_id: str) -> bool:
    tag = input_tag(page, field_id)
    return 'aria-invalid="true"' in tag and f'aria-describedby="{field_id}-error-1"' in tag


def value_of(page: str, field_id: str) -> str:
    """What an input or textarea shows, unescaped."""
    tag = input_tag(page, field_id)
    if tag.startswith("<textarea"):
        found = re.search(rf'id="{re.escape(field_id)}"[^>]*>(.*?)</textarea>', page, re.S)
        assert found
        return html.unescape(found.group(1)).strip("\r\n")
    found = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else ""


def is_checked(page: str, field_id: str) -> bool:
    return re.search(r"\bchecked\b", input_tag(page, field_id)) is not None


def selected_options(page: str, field_id: str) -> list[str]:
    select = rf'<select\b[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</select>'
    found = re.search(select, page, re.S)
    assert found, f"no select {field_id!r} on the page"
    options = re.findall(r"<option\b[^>]*>", found.group(1))
    return [
        html.unescape(re.search(r'value="([^"]*)"', option).group(1))  # type: ignore[union-attr]
        for option in options
        if re.search(r"\bselected\b", option)
    ]


def summary_of(page: str) -> str:
    """The error summaries above the forms (what was refused apart from a field, which fields)."""
    alerts = r'<article class="flash flash-error" role="alert">(.*?)</article>'
    found = re.findall(alerts, page, re.S)
    return html.unescape(" ".join(" ".join(found).split()))


_DRAWING = re.compile(r"TournagesMaps\.drawing\(\s*\w+,\s*(\{.*?\})\);", re.S)


def drawn_on_map(page: str, key: str) -> dict | None:
    """The geometry the form's map draws, editable, as its layer KEY (core.mapping.drawing)."""
    found = _DRAWING.search(page)
    assert found, "no drawing on the page"
    layers = {layer["key"]: layer for layer in json.loads(found.group(1))["layers"]}
    return layers[key]["geometry"]
