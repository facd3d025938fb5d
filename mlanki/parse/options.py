"""Where an entry's multiple-choice options stand: a list, lines after ``Answer options:``, one line,
or bare lines right after the question (SOURCE-FORMAT.md, "Multiple choice: options").

``choices`` says what one line means; this module decides which blocks of a body are options.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from mlanki import choices
from mlanki.parse.fields import FieldWriter, inline_markdown, markdown
from mlanki.parse.lines import Line, Para, items_of, lines_of
from mlanki.syntax import Token, drop_chars, lstrip_tokens, plain_text

_BARE_OPTION_CHARS = 100
_MAX_BARE_OPTIONS = 26


@dataclass
class Options:
    """Options found in an entry: HTML, plain text and Markdown each, the rest of the body, a checked box."""

    html: list[str]
    text: list[str]
    rest: list
    checked: int | None = None
    stem: list = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)


def plain_options(texts: list[str], rest: list) -> Options:
    """Options known only as text (in the heading, or on one line)."""
    return Options([html.escape(t, quote=False) for t in texts], texts, rest, markdown=list(texts))


class OptionReader:
    """Finds the options of an entry's body items and renders them with ``writer``."""

    def __init__(self, writer: FieldWriter) -> None:
        self.writer = writer
        self.findings = writer.findings

    def find(self, items: list, question: str = "") -> Options | None:
        """The options of a body, or None; ``question`` (plain text) tells whether it asks to choose."""
        self.choosing = choices.asks_to_choose(question)
        for index, item in enumerate(items):
            if isinstance(item, dict) and item["type"] == "list" and is_task_list(item):
                found = self._from_list(item, items[index + 1:], require_evidence=False)
                found.stem = items[:index]  # an image, table or code the options refer to
                return found
        first = items[0]
        if isinstance(first, Para) and choices.answer_options_prefix(first.lines[0].text):
            return self._after_label(first, items[1:])
        if isinstance(first, dict) and first["type"] == "list":
            return self._from_list(first, items[1:], require_evidence=True)
        if isinstance(first, Para):
            return self._from_lines(first, items[1:])
        return None

    def _after_label(self, para: Para, after: list) -> Options | None:
        label_line = para.lines[0]
        inline = label_line.text[choices.answer_options_prefix(label_line.text):].strip()
        if inline:
            texts = choices.split_inline_options(inline)
            if not texts:
                self.findings.warn(label_line.line, "could not tell the options apart on this line",
                                   "unlabelled-options", "label them A) B) C) or put one option per line")
                return None
            return plain_options(texts, [Para(para.lines[1:])] + after)
        lines = para.lines[1:]
        if not lines and after and isinstance(after[0], dict) and after[0]["type"] == "list":
            return self._from_list(after[0], after[1:], require_evidence=False)
        if not lines and after and isinstance(after[0], Para):
            para, after, lines = after[0], after[1:], after[0].lines  # a blank line after the label
        taken = []
        for line in lines:
            if choices.find_correct(line.text, []) or choices.detail_prefix(line.text):
                break
            taken.append(line)
        if len(taken) < 2:
            return None
        rest_lines = lines[len(taken):]
        return self._option_lines(taken, ([Para(rest_lines)] if rest_lines else []) + after)

    def _from_list(self, token: Token, after: list, require_evidence: bool) -> Options | None:
        items = token["children"]
        if is_task_list(token):
            checked = [n for n, i in enumerate(items) if i.get("attrs", {}).get("checked")]
            found = self._list_items(items, after, token.get("line", 0))
            found.checked = checked[0] if len(checked) == 1 else None
            return found
        labels = [choices.option_label(plain_text(i["children"]))[0] for i in items]
        if require_evidence and not choices.looks_like_option_list(labels) and not self._short_choice(items, after):
            texts = [plain_text(i["children"]).strip() for i in items]
            if not any(choices.find_correct(line.text, texts) for line in lines_of(after)):
                return None
        return self._list_items(items, after, token.get("line", 0))

    def _short_choice(self, items: list[Token], after: list) -> bool:
        """An unlabelled list of short items under a question that asks to choose, then a "Detail:" line."""
        detail = next(lines_of(after), None)
        if not (self.choosing and detail and choices.detail_prefix(detail.text)):
            return False
        return len(items) >= 2 and all(
            len(plain_text(i["children"]).strip()) <= _BARE_OPTION_CHARS and len(i["children"]) <= 2
            for i in items)

    def _list_items(self, items: list[Token], after: list, first_line: int) -> Options:
        items, explanation = _explanation_under_last(items, first_line)
        after = explanation + after
        html_options, texts, sources = [], [], []
        renderer = self.writer.renderer
        for number, item in enumerate(items):
            children = item["children"]
            text = plain_text(children).strip()
            _label, cut = choices.option_label(text)
            if cut and children and "children" in children[0]:
                children = [dict(children[0], children=drop_chars(children[0]["children"], cut))] + children[1:]
            renderer.location = self.findings.at(first_line + number)  # one option per line
            html_options.append(renderer.finish(renderer.blocks(children)))
            texts.append(text[cut:].strip())
            sources.append(markdown(children))
        return Options(html_options, texts, after, markdown=sources)

    def _from_lines(self, para: Para, after: list) -> Options | None:
        """Options written as plain lines right after the question: labelled, or bare before the answer."""
        labelled = []
        for line in para.lines:
            if not choices.option_label(line.text)[0]:
                break
            labelled.append(line)
        if choices.looks_like_option_list([choices.option_label(l.text)[0] for l in labelled]):
            rest = para.lines[len(labelled):]
            return self._option_lines(labelled, ([Para(rest)] if rest else []) + after)
        texts = [line.text for line in para.lines]
        for n, text in enumerate(texts):  # options named by their text: only among the first few lines (linear)
            if choices.find_correct(text, texts[:n] if n <= _MAX_BARE_OPTIONS else []):
                return self._bare_options(para.lines[:n], [Para(para.lines[n:])] + after)
        if after and isinstance(after[0], Para) and choices.find_correct(after[0].lines[0].text, []):
            return self._bare_options(para.lines, after)  # options, a blank line, then the answer
        # bare lines, then a "Detail:" line (on the next line, or after a blank line)
        for n, line in enumerate(para.lines[1:], 1):
            if choices.detail_prefix(line.text):
                return self._bare_options(para.lines[:n], [Para(para.lines[n:])] + after, strict=True)
        if after and isinstance(after[0], Para) and choices.detail_prefix(after[0].lines[0].text):
            return self._bare_options(para.lines, after, strict=True)
        return None

    def _bare_options(self, lines: list[Line], rest: list, strict: bool = False) -> Options | None:
        """Short lines as options; ``strict`` (no sentence names the answer) also wants a question that
        asks to choose, or lines that are not sentences."""
        if len(lines) < 2 or not all(len(l.text) <= _BARE_OPTION_CHARS and not l.text.endswith(":") for l in lines):
            return None
        if strict and not (self.choosing or not any(l.text.endswith((".", "!", "?")) for l in lines)):
            return None
        return self._option_lines(lines, rest)

    def _option_lines(self, lines: list[Line], rest: list) -> Options:
        html_options, texts, sources = [], [], []
        for line in lines:
            _label, cut = choices.option_label(line.text)
            tokens = drop_chars(lstrip_tokens(line.tokens), cut) if cut else line.tokens
            html_options.append(self.writer.renderer.finish(self.writer.inline_at(line.line, tokens)))
            texts.append(line.text[cut:].strip())
            sources.append(inline_markdown(tokens))
        return Options(html_options, texts, rest, markdown=sources)


def _explanation_under_last(items: list[Token], first_line: int) -> tuple[list[Token], list]:
    """Text indented under the last option (one-line options above it) is the explanation, not the option."""
    *others, last = items
    children = last["children"]
    if not children or any(len(i["children"]) > 1 or _breaks(i["children"][0]) for i in others if i["children"]):
        return items, []
    lead = children[0]
    kids = lead.get("children", [])
    cut = next((n for n, t in enumerate(kids) if t["type"] in ("softbreak", "linebreak")), None)
    if cut is None and len(children) == 1:
        return items, []
    line = first_line + len(items)  # the line after the last option (nested tokens carry no line)
    blocks = []
    if cut is not None:
        blocks.append({"type": "paragraph", "children": kids[cut + 1:], "line": line})
        lead = dict(lead, children=kids[:cut])
    blocks += [dict(b, type="paragraph", line=line) if b["type"] == "block_text" else dict(b, line=line)
               for b in children[1:]]
    return others + [dict(last, children=[lead])], items_of(blocks)


def _breaks(block: Token) -> bool:
    return any(t["type"] in ("softbreak", "linebreak") for t in block.get("children", []))


def is_task_list(token: Token) -> bool:
    return any(item["type"] == "task_list_item" for item in token["children"])
