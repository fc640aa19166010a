"""Hostile strings for every user-writable text field: none may run, break a page or change.

Template syntax of Jinja in all its forms (branca renders folium's output as a template, so
these once ran on the server), HTML and script endings, JavaScript template strings, line
separators and a very long string.
"""

from __future__ import annotations

TEMPLATE_PROBES = (
    "Probe {{ 7*191 }}",
    "Broken {{ x",
    "{% for i in range(3) %}loop{% endfor %}",
    "{# comment #}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{%raw%}{{}}{%endraw%}",
    "}} {{ %} {% #} {#",
)
HOSTILE_STRINGS = (
    *TEMPLATE_PROBES,
    "</script><script>window.pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    "`${alert(2)}` ${window.pwned=3}",
    "line\u2028separator\u2029paragraph",
    "quote ' double \" back \\ slash & amp",
    "long " + "x" * 4000,
)
# What the probes would print if they were evaluated.
EVALUATED = ("Probe 1337", "uid=", "looplooploop")

# The catalogue put together into a few values, so a walk of every page covers them all in
# four passes: an unclosed "{{" would swallow what follows it, so it goes alone.
HOSTILE_VALUES = (
    " ".join(p for p in TEMPLATE_PROBES if p != "Broken {{ x"),
    "Broken {{ x",
    " ".join(HOSTILE_STRINGS[len(TEMPLATE_PROBES) : -1]),
    HOSTILE_STRINGS[-1],
)
