"""An entry's parts written out twice: as card HTML and as the author's Markdown.

The HTML goes onto the cards (``mlanki.render``'s CardRenderer: math, code, media, sanitising);
the Markdown is the same tokens written back as Markdown, so other exporters can use the entry too.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from mistune.core import BlockState
from mistune.renderers.markdown import MarkdownRenderer

from mlanki.parse.findings import Findings
from mlanki.parse.lines import Line, Para
from mlanki.render import CardRenderer
from mlanki.syntax import Token, lstrip_tokens

_LABEL_LINE = re.compile(r"^([A-Z][^:.!?\n]{0,58}):(?=\s|$)")


class _Markdown(MarkdownRenderer):
    """mistune's Markdown writer, plus the math tokens of mlanki's plugins."""

    def inline_math(self, token: Token, state: BlockState) -> str:
        return "$" + token["raw"] + "$"

    def block_math(self, token: Token, state: BlockState) -> str:
        return "$$" + token["raw"] + "$$"


@lru_cache(maxsize=1)
def _markdown() -> _Markdown:
    return _Markdown()


_WRAP = {"strong": "**", "emphasis": "*", "mark": "==", "strikethrough": "~~"}
_MAY_ESCAPE = frozenset("\\`<!&")
_ESCAPE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]+);|([\\`<!&])")


def inline_markdown(tokens: list[Token]) -> str:
    """Inline tokens as Markdown."""
    return _inline(tokens).strip()


def _inline(tokens: list[Token]) -> str:
    # The common tokens directly (this runs for every line of every entry); the rest by mistune.
    parts = []
    for token in tokens:
        kind = token["type"]
        if kind == "text":
            raw = token["raw"]
            if raw and all(c in "*_" for c in raw):
                parts.append("".join("\\" + c for c in raw))
            else:
                parts.append(_ESCAPE.sub(_escaped, raw) if _MAY_ESCAPE.intersection(raw) else raw)
        elif kind in _WRAP:
            parts.append(_WRAP[kind] + _inline(token["children"]) + _WRAP[kind])
        elif kind == "inline_math":
            parts.append("$" + token["raw"] + "$")
        else:
            parts.append(_markdown().render_tokens([token], BlockState()))
    return "".join(parts)


def _escaped(m: re.Match) -> str:
    return "\\" + m[1] if m[1] else m[0]


def markdown(items: list) -> str:
    """Paragraphs (line by line) and blocks as Markdown, blocks separated by a blank line."""
    parts = []
    for item in items:
        if isinstance(item, Para):
            text = "\n".join(inline_markdown(line.tokens) for line in item.lines if line.tokens)
        elif item["type"] in ("block_text", "paragraph"):
            text = inline_markdown(item["children"])
        else:
            text = _markdown().render_tokens([item], BlockState()).strip()
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def label_only(line: Line) -> list[Token]:
    """The tokens of a line that is nothing but "Some Label:" without its colon, else []."""
    tokens = line.tokens
    last = tokens[-1] if tokens else None
    if not last or last["type"] != "text" or not last["raw"].rstrip().endswith(":"):
        return []
    if any(t["type"] not in ("text", "inline_math", "emphasis", "strong", "codespan") for t in tokens):
        return []
    m = _LABEL_LINE.match(line.text)
    if not m or m.end() != len(line.text) or len(m.group(1).split()) > 7:
        return []
    return tokens[:-1] + [dict(last, raw=last["raw"].rstrip()[:-1])]


def _as_direct(fragment: str) -> str:
    if fragment.startswith("<p>"):
        return '<p class="mlanki-direct">' + fragment[3:]
    return '<p class="mlanki-direct">' + fragment + "</p>" if fragment else ""


def option_answer(letter: str, option_html: str) -> str:
    """``C. Sigmoid`` as one direct-answer paragraph, also when the option is a block of its own."""
    inner = option_html
    if inner.startswith("<p>") and inner.endswith("</p>") and inner.count("<p>") == 1:
        inner = inner[3:-4]
    if inner.lstrip().startswith(("<p", "<ul", "<ol", "<div", "<pre", "<table")):
        return f'<p class="mlanki-direct">{letter}.</p>\n{inner}'
    return f'<p class="mlanki-direct">{letter}. {inner}</p>'


class FieldWriter:
    """Card HTML for an entry's parts, each line rendered with its own location for messages."""

    def __init__(self, renderer: CardRenderer, findings: Findings, line_breaks: bool) -> None:
        self.renderer = renderer
        self.findings = findings
        self.line_join = "<br>\n" if line_breaks else "\n"

    def html(self, items: list) -> str:
        """Paragraphs (their lines kept) and blocks as one field's HTML.

        A line that is only a label ("For Low Values of K:") heads the lines below it, so it
        becomes a small heading of its own and the lines after it a new paragraph.
        """
        parts = []
        for item in items:
            if isinstance(item, Para):
                lines: list[str] = []
                for line in item.lines:
                    if not line.tokens:
                        continue
                    label = label_only(line)
                    if label:
                        if lines:
                            parts.append("<p>" + self.line_join.join(lines) + "</p>")
                            lines = []
                        parts.append('<p class="mlanki-label">' + self.inline_at(line.line, label) + "</p>")
                        continue
                    rendered = self.line_html(line)
                    if rendered:
                        lines.append(rendered)
                if lines:
                    parts.append("<p>" + self.line_join.join(lines) + "</p>")
            else:
                self.renderer.location = self.findings.at(item.get("line", 0))
                parts.append(self.renderer.blocks([item]))
        return self.renderer.finish("\n".join(p for p in parts if p.strip()))

    def direct(self, items: list) -> str:
        """A short, direct answer: the one place an answer is set in bold."""
        return _as_direct(self.html(items))

    def inline_at(self, line: int, tokens: list[Token]) -> str:
        self.renderer.location = self.findings.at(line)
        return self.renderer.inline(tokens)

    def line_html(self, line: Line) -> str:
        """One line; a leading "Label:" is set in bold."""
        self.renderer.location = self.findings.at(line.line)
        tokens = lstrip_tokens(line.tokens)
        first = tokens[0] if tokens else None
        if first and first["type"] == "text":
            m = _LABEL_LINE.match(first["raw"])
            if m and len(m.group(1).split()) <= 7:
                rest = [dict(first, raw=first["raw"][m.end():])] + tokens[1:]
                body = self.renderer.inline(rest)
                return "<b>" + html.escape(m.group(1), quote=False) + ":</b>" + (" " + body if body else "")
        return self.renderer.inline(tokens)

    def take_media(self) -> tuple[str, ...]:
        """The media files rendered since the last call (one entry's)."""
        used = tuple(dict.fromkeys(self.renderer.used_media))
        self.renderer.used_media.clear()
        return used
