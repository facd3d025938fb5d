"""A paragraph seen as the lines it was written in, and the small rewrites done on those lines.

The maintainer writes one sentence or point per line with no blank lines between, so a paragraph
is read line by line; each ``Line`` keeps its inline tokens and its source line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlanki import choices
from mlanki.syntax import Token, cut_chars, drop_chars, is_blank, lstrip_tokens, plain_text

_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_SHORT_ANSWER_WORDS = 8


@dataclass
class Line:
    """One source line of a paragraph: its inline tokens and line number."""

    tokens: list[Token]
    line: int

    @property
    def text(self) -> str:
        # kept in the instance by hand: functools.cached_property takes a lock on every read (Python < 3.12),
        # and this is read for every line of every entry several times
        text = self.__dict__.get("_text")
        if text is None:
            text = self.__dict__["_text"] = plain_text(self.tokens).strip()
        return text

    @property
    def text_raw(self) -> str:
        """The visible text unstripped, so positions match the tokens."""
        return plain_text(self.tokens)


@dataclass
class Para:
    """A paragraph seen as the lines it was written in."""

    lines: list[Line]

    @property
    def line(self) -> int:
        return self.lines[0].line


def items_of(body: list[Token]) -> list:
    """Body blocks, with each paragraph split into its source lines (blank ``&nbsp;`` lines dropped)."""
    items: list = []
    for token in body:
        if token["type"] == "paragraph":
            lines = [line for line in split_lines(token["children"], token["line"]) if not is_blank(line.tokens)]
            if lines:
                items.append(Para(lines))
        else:
            items.append(token)
    return items


def split_lines(children: list[Token], first_line: int) -> list[Line]:
    """A paragraph's lines; a ``<br/>`` written at a line's end is that same line break."""
    lines = [Line([], first_line)]
    for token in children:
        if token["type"] in ("softbreak", "linebreak"):
            lines.append(Line([], lines[-1].line + 1))
        elif token["type"] == "inline_html" and _BR.match(token["raw"]):
            lines[-1].tokens.append({"type": "linebreak_html"})
        else:
            lines[-1].tokens.append(token)
    for line in lines:
        # a <br/> at the end of a line only repeats the line break; one inside the line stays
        while line.tokens and (line.tokens[-1]["type"] == "linebreak_html" or (
                line.tokens[-1]["type"] == "text" and not line.tokens[-1]["raw"].strip())):
            line.tokens.pop()
        line.tokens = [{"type": "linebreak"} if t["type"] == "linebreak_html" else t for t in line.tokens]
    return lines


def lines_of(items: list):
    """Every paragraph line of ``items``, in order."""
    for item in items:
        if isinstance(item, Para):
            yield from item.lines


def rewrite_lines(items: list, rewrite) -> list:
    """Every paragraph line passed through ``rewrite(line)``; a line it empties goes, then an empty paragraph."""
    out = []
    for item in items:
        if not isinstance(item, Para):
            out.append(item)
            continue
        lines = []
        for line in item.lines:
            new = rewrite(line)
            if new is line or new.text:
                lines.append(new)
        if lines:
            out.append(Para(lines))
    return out


def strip_line_prefix(items: list, prefix_length) -> list:
    """Remove a label such as "Detail:" from the start of every line; lines left empty go."""
    def strip(line: Line) -> Line:
        cut = prefix_length(line.text)
        return Line(drop_chars(lstrip_tokens(line.tokens), cut), line.line) if cut else line
    return rewrite_lines(items, strip)


def without_markers(items: list) -> list:
    """The explanation: drop "Detail:" labels and sentences that only name the correct option."""
    def strip(line: Line) -> Line:
        span = choices.marker_sentence(line.text_raw)
        return Line(lstrip_tokens(cut_chars(line.tokens, *span)), line.line) if span else line
    return rewrite_lines(strip_line_prefix(items, choices.detail_prefix), strip)


def split_short_answer(line: Line) -> tuple[Line | None, Line | None]:
    """"To prevent overfitting. Dropout is ..." -> the short answer and the elaboration."""
    tokens = lstrip_tokens(line.tokens)
    if not tokens or tokens[0]["type"] != "text":
        return None, None
    parts = _SENTENCE_END.split(tokens[0]["raw"], maxsplit=1)
    if len(parts) < 2 or len(parts[0].split()) > _SHORT_ANSWER_WORDS or not parts[0].endswith("."):
        return None, None
    short = Line([dict(tokens[0], raw=parts[0])], line.line)
    rest = Line([dict(tokens[0], raw=parts[1])] + tokens[1:], line.line)
    return short, rest


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def raw_text(item) -> str:
    """The visible text of a paragraph or a block token (its raw text for code and HTML)."""
    if isinstance(item, Para):
        return " ".join(line.text for line in item.lines)
    return plain_text(item.get("children", [])) + item.get("raw", "")


def has_token(item, kind: str) -> bool:
    """Whether a paragraph or block holds a token of ``kind`` anywhere inside."""
    tokens: list[Any] = [t for line in item.lines for t in line.tokens] if isinstance(item, Para) else [item]
    while tokens:
        token = tokens.pop()
        if token.get("type") == kind:
            return True
        tokens.extend(token.get("children", []))
    return False
