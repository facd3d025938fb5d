"""mistune 3 set up for mlanki: Markdown to tokens that know their source line.

mistune's tokens carry no positions. ``LocatedBlockState`` stamps every top-level block token
with the 1-based line where it starts (the block parser's cursor when the token is added), so
every later message can say ``file:line``. Math in ``\\(..\\)`` / ``\\[..\\]`` is added as a small
plugin beside mistune's own ``$``/``$$`` one, so all four reach the renderer as math tokens.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin
from mistune.plugins.math import BLOCK_MATH_PATTERN, parse_block_math

Token = dict[str, Any]

_NEWLINE = re.compile("\n")


class LocatedBlockState(BlockState):
    """Block state that knows the line of any offset in its (top-level) source."""

    first_line = 1  # the file line of this source's first line (a chunk of a file starts later)

    def process(self, src: str) -> None:
        super().process(src)
        if self.parent is None:
            self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(src)]

    def line_at(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset) + self.first_line - 1

    def add_paragraph(self, text: str) -> None:
        # Paragraphs are added with the cursor at their first character.
        last = self.last_token()
        if self.parent is None and not (last and last["type"] == "paragraph"):
            self.tokens.append({"type": "paragraph", "text": text, "line": self.line_at(self.cursor)})
        else:
            super().add_paragraph(text)


class LocatedBlockParser(BlockParser):
    """Block parser that stamps each top-level token with the line where its rule matched.

    Rules such as lists move the cursor before they add their token, so the line is taken
    from the match, not from the cursor.
    """

    state_cls = LocatedBlockState

    def parse_method(self, m, state):
        if state.parent is not None:
            return super().parse_method(m, state)
        first_new, line = len(state.tokens), state.line_at(m.start())
        end = super().parse_method(m, state)
        _stamp(state.tokens[first_new:], line)
        return end

    def _parse_indent_code_fast(self, state):
        # mistune's shortcut for indented code bypasses parse_method; it is tried at every block.
        first_new, cursor = len(state.tokens), state.cursor
        end = super()._parse_indent_code_fast(state)
        if end is not None and state.parent is None:
            _stamp(state.tokens[first_new:], state.line_at(cursor))
        return end


def _stamp(tokens: list[Token], line: int) -> None:
    for token in tokens:
        token.setdefault("line", line)


# \( inline \) and \[ display \] math, the delimiters Anki's MathJax uses itself.
_PAREN_MATH = r"\\\((?P<paren_math_text>[\s\S]+?)\\\)"
_BRACKET_MATH = r"\\\[(?P<bracket_math_text>[\s\S]+?)\\\]"


# Stray escapes such as "\\[my last name \\]" are prose, not math: math has a symbol, a digit or
# a command in it, or is a single short token.
_MATHY = re.compile(r"[\\^_=+\-*/{}<>|]|\d|^\s*\w{1,3}\s*$")


def _parse_paren_math(inline, m, state) -> int:
    if not _MATHY.search(m.group("paren_math_text")):
        return _escaped(m, state)
    state.append_token({"type": "inline_math", "raw": m.group("paren_math_text")})
    return m.end()


def _parse_bracket_math(inline, m, state) -> int:
    if not _MATHY.search(m.group("bracket_math_text")):
        return _escaped(m, state)
    state.append_token({"type": "block_math", "raw": m.group("bracket_math_text")})
    return m.end()


def _escaped(m, state) -> int:
    """Not math after all: the backslash only escapes the bracket, as Markdown says."""
    state.append_token({"type": "text", "raw": m.group(0)[1]})
    return m.start() + 2


# $..$ as pandoc reads it: no space just inside the dollars, no digit just after, so prices
# ("$5 and $10", "$ 3") stay prose. $$..$$ and block math are mistune's own.
_INLINE_DOLLAR_MATH = (
    r"\$\$(?P<display_math_text>(?:[^$\\]|\\.)*?)\$\$|"
    r"\$(?!\s)(?P<math_text>(?:[^$\\\n]|\\.)*?[^\s$\\])\$(?!\d)"
)


def _parse_dollar_math(inline, m, state) -> int:
    if m.group("display_math_text") is not None:
        state.append_token({"type": "block_math", "raw": m.group("display_math_text")})
    else:
        state.append_token({"type": "inline_math", "raw": m.group("math_text")})
    return m.end()


def dollar_math(md: mistune.Markdown) -> None:
    """mistune plugin: ``$$`` blocks (mistune's rule) and stricter inline ``$..$``."""
    md.block.register("block_math", BLOCK_MATH_PATTERN, parse_block_math, before="list")
    _register_inline(md, "inline_math", _INLINE_DOLLAR_MATH, _parse_dollar_math, "codespan", "$")


def latex_delimiters(md: mistune.Markdown) -> None:
    """mistune plugin: read ``\\(..\\)`` and ``\\[..\\]`` as math (before backslash escapes eat them)."""
    _register_inline(md, "paren_math", _PAREN_MATH, _parse_paren_math, "escape", "\\")
    _register_inline(md, "bracket_math", _BRACKET_MATH, _parse_bracket_math, "escape", "\\")


def _register_inline(md: mistune.Markdown, name: str, pattern: str, func, before: str, start: str) -> None:
    """Register with the rule's start character where mistune supports it: one rule without it
    turns off mistune's fast path over plain text for every paragraph (3x slower parsing)."""
    try:
        md.inline.register(name, pattern, func, before=before, start_chars=start)
    except TypeError:  # mistune before 3.1 has no start_chars
        md.inline.register(name, pattern, func, before=before)


PLUGINS = ("strikethrough", "mark", "table", dollar_math, "task_lists", latex_delimiters)


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    plugins = [import_plugin(p) if isinstance(p, str) else p for p in PLUGINS]
    return mistune.Markdown(renderer=None, block=LocatedBlockParser(), inline=InlineParser(), plugins=plugins)


def parse_markdown(text: str, first_line: int = 1) -> list[Token]:
    """Tokens of ``text`` (inline children already parsed); top-level ones carry ``line``.

    ``first_line`` is the file line ``text`` starts on, when it is one chunk of a file.
    """
    state = LocatedBlockState()
    state.first_line = first_line
    tokens, _state = _markdown().parse(text, state)
    return tokens


def plain_text(tokens: list[Token]) -> str:
    """The visible text of inline tokens, markup dropped (for identity and messages)."""
    parts: list[str] = []
    for tok in tokens:
        if "children" in tok:
            parts.append(plain_text(tok["children"]))
        elif tok["type"] in ("softbreak", "linebreak"):
            parts.append(" ")
        elif tok["type"] == "text":
            parts.append(html.unescape(tok["raw"]) if "&" in tok["raw"] else tok["raw"])
        elif "raw" in tok:
            parts.append(tok["raw"])
    return "".join(parts)


def is_blank(tokens: list[Token]) -> bool:
    """Only spaces and ``&nbsp;`` spacers: a line the card need not show."""
    return all(t["type"] == "text" for t in tokens) and not plain_text(tokens).strip()


def cut_chars(tokens: list[Token], start: int, end: int) -> list[Token]:
    """Inline tokens without the visible characters ``start:end`` (a sentence inside one text token)."""
    out: list[Token] = []
    offset = 0
    for token in tokens:
        size = len(plain_text([token]))
        if token["type"] == "text" and offset <= start and end <= offset + size and "&" not in token["raw"]:
            raw = token["raw"]
            out.append(dict(token, raw=raw[: start - offset] + raw[end - offset:]))
        else:
            out.append(token)
        offset += size
    return out


def lstrip_tokens(tokens: list[Token]) -> list[Token]:
    if tokens and tokens[0]["type"] == "text":
        return [dict(tokens[0], raw=tokens[0]["raw"].lstrip())] + tokens[1:]
    return tokens


def drop_chars(tokens: list[Token], count: int) -> list[Token]:
    """Inline tokens with the first ``count`` visible characters removed (labels such as "A) ")."""
    out: list[Token] = []
    for token in tokens:
        if count <= 0:
            out.append(token)
            continue
        size = len(plain_text([token]))
        if size <= count:
            count -= size
        elif "children" in token:
            out.append(dict(token, children=drop_chars(token["children"], count)))
            count = 0
        elif "raw" in token:
            out.append(dict(token, raw=token["raw"][count:]))
            count = 0
        else:
            out.append(token)
    return lstrip_tokens(out)
