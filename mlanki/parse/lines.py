"""A paragraph seen as the lines it was written in, and the small rewrites done on those lines.

The maintainer writes one sentence or point per line with no blank lines between, so a paragraph
is read line by line; each ``Line`` keeps its inline tokens and its source line number.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

from mlanki import choices
from mlanki.syntax import Token, cut_chars, drop_chars, is_blank, lstrip_tokens, plain_text

_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_WRAPPED_END = re.compile(r"[\w,)\]'\"’”]$")  # a line cut at a column ends mid-sentence ...
_WRAPPED_START = re.compile(r"^[a-z]")  # ... and the next one goes on in lower case
_WRAPPED_MIN_CHARS = 40  # wrapping happens at a column: the line before is long
_INDENTED_FENCE = re.compile(r"^(?P<marker>`{3,}|~{3,})(?P<info>[\w+#.-]*)[ \t]*\n(?P<code>.*?\n)?(?P=marker)[ \t]*\n?$", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_SHORT_ANSWER_WORDS = 8


@dataclass
class Line:
    """One source line of a paragraph: its inline tokens and line number."""

    tokens: list[Token]
    line: int
    wrapped: int = 0  # source lines after ``line`` joined into this one (hard-wrapped prose)

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
        elif token["type"] in ("list", "block_quote"):
            items.append(unwrapped(token))
        elif token["type"] == "block_code" and token.get("style") == "indent":
            items.append(fenced(token))
        else:
            items.append(token)
    return items


def split_lines(children: list[Token], first_line: int) -> list[Line]:
    """A paragraph's lines; a ``<br/>`` written at a line's end is that same line break, and a
    sentence hard-wrapped at a column is one line (``wraps``)."""
    lines = [Line([], first_line)]
    number = first_line
    for n, token in enumerate(children):
        if token["type"] == "softbreak" and wraps(lines[-1].tokens, children[n + 1:n + 2]):
            number += 1
            lines[-1].tokens.append({"type": "text", "raw": " "})
            lines[-1].wrapped += 1
        elif token["type"] in ("softbreak", "linebreak"):
            number += 1
            lines.append(Line([], number))
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


def wraps(before: list[Token], after: list[Token]) -> bool:
    """Whether a soft break only continues a sentence hard-wrapped at a column ("divides the feature
    space into" / "regions."): a long line with no closing stop, then lower case that is no option label.
    One sentence or point per line, as the Micro-Learning source has it, never reads as wrapped."""
    text = plain_text(before).rstrip()
    if len(text) < _WRAPPED_MIN_CHARS or not _WRAPPED_END.search(text) or not after:
        return False
    following = plain_text(after).lstrip()
    return bool(_WRAPPED_START.match(following)) and not choices.option_label(following)[0]


def fenced(token: Token) -> Token:
    """A fence indented by four spaces or more is, by CommonMark, indented code that shows its own
    backticks; when the whole block is one fence, it is that fence (highlighted in its language)."""
    m = _INDENTED_FENCE.match(textwrap.dedent(token["raw"]))  # eight spaces leave four in the code
    if not m:
        return token
    return dict(token, raw=m.group("code") or "", style="fenced", marker=m.group("marker"),
                attrs={"info": m.group("info")})


def unwrapped(token: Token) -> Token:
    """A list or quote with its hard-wrapped sentences joined (each item's own lines kept)."""
    children = token.get("children")
    if not children:
        return token
    if token["type"] in ("block_text", "paragraph"):
        joined, line = [], []
        for n, child in enumerate(children):
            if child["type"] == "softbreak" and wraps(line, children[n + 1:n + 2]):
                child = {"type": "text", "raw": " "}
            line = [] if child["type"] in ("softbreak", "linebreak") else line + [child]
            joined.append(child)
        return dict(token, children=joined)
    return dict(token, children=[unwrapped(c) for c in children])


def without_navigation(items: list) -> list:
    """Lines that are only a link into the page itself ("[back to top](#contents)") go: on a card
    such an anchor leads nowhere."""
    def strip(line: Line) -> Line:
        tokens = [t for t in line.tokens if not (t["type"] == "text" and not t["raw"].strip())]
        if len(tokens) == 1 and tokens[0]["type"] == "link" and tokens[0].get("attrs", {}).get("url", "").startswith("#"):
            return Line([], line.line)
        return line
    return rewrite_lines(items, strip)


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
