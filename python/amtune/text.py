"""Text for a terminal or a page: control characters escaped, so values from training jobs and
configs (job names, hyperparameter values, failure reasons carrying a command's last output, metric
names, log lines) cannot move the cursor, clear the screen, recolour the terminal or reorder text.
Every human-readable output of amtune (the live progress line, ``describe``, ``jobs``, ``logs``,
the end summary, the HTML report) goes through :func:`printable` (or :func:`html_text`).

>>> printable("x=\\x1b[2J done\\r")
'x=\\\\x1b[2J done\\\\r'
>>> printable("two\\nlines"), printable("two\\nlines", newlines=False)
('two\\nlines', 'two\\\\nlines')
>>> html_text("<b>\\x1b[31m")
'&lt;b&gt;\\\\x1b[31m'
"""

from __future__ import annotations

import html
import unicodedata

#: Bidirectional controls (embeddings, overrides, isolates) reorder how a line reads.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def printable(text: str, newlines: bool = True) -> str:
    """``text`` with control characters (C0, DEL, C1, bidi controls) written as escapes; line
    breaks are kept when ``newlines``."""
    return "".join(
        _escape(ch)
        if (unicodedata.category(ch) == "Cc" and not (newlines and ch == "\n")) or ch in _BIDI
        else ch
        for ch in text
    )


def html_text(value: object) -> str:
    """``str(value)`` for an HTML page: control characters escaped (:func:`printable`), then
    HTML's special characters."""
    return html.escape(printable(str(value)))
