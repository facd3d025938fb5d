"""Fenced code with a language becomes Pygments HTML with inline styles.

Inline styles need no stylesheet and no network, so they work in Anki desktop, AnkiMobile and
AnkiDroid alike. The block carries its own light background, so it stays readable when the card
is in night mode. Imported lazily: decks without code never pay for Pygments.
"""

from __future__ import annotations

from functools import lru_cache

from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

STYLE = "friendly"
MAX_CHARS = 100_000  # a fence longer than this is shown plain: highlighting is slow on huge or hostile input


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(noclasses=True, style=STYLE, cssclass="mlanki-code mlanki-highlight", nobackground=False)


@lru_cache(maxsize=64)
def _lexer(language: str):
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def highlight(code: str, language: str) -> str:
    """Highlighted HTML for ``code``, or "" when Pygments does not know ``language`` or the code is
    too long to highlight in bounded time (the card then shows it as plain code)."""
    if len(code) > MAX_CHARS:
        return ""
    lexer = _lexer(language.lower())
    return _pygments_highlight(code, lexer, _formatter()) if lexer else ""
