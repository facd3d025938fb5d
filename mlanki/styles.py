"""Question styles of other collections, turned into the one shape ``parse`` reads.

Micro-Learning marks a question with a heading. Other real collections use a bold line
(``**What is regression? 👶**``), an ordered-list item followed by a ``- Answer:`` bullet, a
``### Q:`` prefix, or numbered ``## 12.`` headings. Each style is recognised on mistune's tokens
and rewritten into a question heading (plus its body), so the rest of the pipeline sees one form.
The style comes from settings (front matter or ``setup.cfg``) or is detected when unambiguous.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from mlanki.syntax import Token, drop_chars, plain_text

HEADING, BOLD, LIST = "heading", "bold", "list"
_Q_PREFIX = re.compile(r"^\s*(?:Q|Question)\s*(?:\d+)?\s*[:.]\s*", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^\s*(?:Q\s*)?\d+\s*[.)]\s+(?=\S)", re.IGNORECASE)
_ANSWER_ITEM = re.compile(r"^\s*\**answer\**\s*:?\s*", re.IGNORECASE)
_SEPARATOR_HTML = re.compile(r"^\s*(<br\s*/?>\s*)+$", re.IGNORECASE)
_SYMBOLS = re.compile("[\\s\u200b-\u200f\u2060-\u2064\ufe0f\U0001F000-\U0001FFFF\u2600-\u27BF\u2B00-\u2BFF]+$")
_MIN_EVIDENCE = 3


@dataclass(frozen=True)
class Style:
    """How questions are marked in one file."""

    kind: str = HEADING
    topic_level: int = 2
    question_level: int | None = None  # None: any heading below the topic level
    prefix: bool = False               # only "Q:" headings are questions


@dataclass(frozen=True)
class Evidence:
    """What one stretch of tokens says about the style: its headings and non-heading questions."""

    headings: tuple[Token, ...] = ()
    bold: int = 0
    listed: int = 0

    @classmethod
    def of(cls, tokens: list[Token]) -> "Evidence":
        return cls(tuple(t for t in tokens if t["type"] == "heading"),
                   sum(1 for t in tokens if _bold_question(t) is not None),
                   sum(1 for a, b in zip(tokens, tokens[1:]) if _list_question(a, b) is not None))


def detect(evidence: list[Evidence], kind: str, topic_level: int, question_level: int | None) -> Style:
    """The style of a file: the settings where given, else what its tokens show unambiguously."""
    headings = [h for part in evidence for h in part.headings]
    prefixed = sum(1 for h in headings if _Q_PREFIX.match(plain_text(h["children"])))
    if kind == "auto":
        deep = sum(1 for h in headings if h["attrs"]["level"] > topic_level)
        bold = sum(part.bold for part in evidence)
        listed = sum(part.listed for part in evidence)
        kind = HEADING
        if prefixed < _MIN_EVIDENCE and max(bold, listed) >= _MIN_EVIDENCE and max(bold, listed) > deep:
            kind = BOLD if bold >= listed else LIST
    if question_level is None and kind == HEADING and prefixed < _MIN_EVIDENCE:
        numbered = Counter(h["attrs"]["level"] for h in headings if _NUMBER_PREFIX.match(plain_text(h["children"])))
        for level, count in sorted(numbered.items()):
            at_level = sum(1 for h in headings if h["attrs"]["level"] == level)
            if count >= _MIN_EVIDENCE and count * 2 > at_level and level <= topic_level:
                question_level, topic_level = level, level - 1
                break
    return Style(kind, topic_level, question_level, prefix=kind == HEADING and prefixed >= _MIN_EVIDENCE)


def normalise(tokens: list[Token], style: Style) -> list[Token]:
    """Tokens with every question marked as a heading whose text has no "Q:"/"12." prefix."""
    level = (style.question_level or style.topic_level + 2)
    out: list[Token] = []
    tokens = list(tokens)  # a paragraph holding two bold questions is split in place
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if _is_separator(token):
            out.append({"type": "thematic_break", "line": token.get("line", 0)})
        elif style.kind == BOLD and (found := _bold_question(token)) is not None:
            question, rest = found
            cut = _next_bold_question(rest)
            if cut is not None:  # no blank line before the next bold question: it is still its own card
                line = token["line"] + 1 + sum(1 for c in rest[:cut + 1] if c["type"] in ("softbreak", "linebreak"))
                tokens.insert(index + 1, {"type": "paragraph", "children": rest[cut + 1:], "line": line})
                rest = rest[:cut]
            out.append(_heading(question, level, token))
            if rest:
                out.append({"type": "paragraph", "children": rest, "line": token["line"] + 1})
        elif style.kind == LIST and (found := _list_question(token, following)) is not None:
            question, answer = found
            out.append(_heading(question, level, token))
            out.extend(dict(block, line=following["line"]) for block in answer)
            index += 1
        elif token["type"] == "heading":
            out.append(heading_token(token, style))
        else:
            out.append(token)
        index += 1
    return out


def strip_number(children: list[Token]) -> list[Token]:
    """Question text without a leading "Q:", "Q12." or "12." (numbering must not decide identity)."""
    text = plain_text(children)
    m = _Q_PREFIX.match(text) or _NUMBER_PREFIX.match(text)
    return drop_chars(children, m.end()) if m else children


def strip_symbols(text: str) -> str:
    """A question without trailing emoji or invisible characters (difficulty marks)."""
    return _SYMBOLS.sub("", text)


def _is_separator(token: Token) -> bool:
    """``<br/>`` alone between questions (as an HTML block or a paragraph of it) works like ``***``."""
    if token["type"] == "block_html":
        return bool(_SEPARATOR_HTML.match(token.get("raw", "")))
    if token["type"] == "paragraph":
        parts = [t for t in token["children"] if not (t["type"] in ("text", "softbreak") and not t.get("raw", "").strip())]
        return bool(parts) and all(t["type"] == "inline_html" and _SEPARATOR_HTML.match(t["raw"]) for t in parts)
    return False


def _heading(children: list[Token], level: int, source: Token) -> Token:
    return {"type": "heading", "attrs": {"level": level}, "children": _strip_trailing_symbols(strip_number(children)),
            "line": source.get("line", 0), "question": True}


def _strip_trailing_symbols(children: list[Token]) -> list[Token]:
    """``What is regression? 👶`` -> ``What is regression?`` (a difficulty mark is not the question)."""
    if not children:
        return children
    last = children[-1]
    if last["type"] == "text":
        return children[:-1] + [dict(last, raw=strip_symbols(last["raw"]))]
    if "children" in last:
        return children[:-1] + [dict(last, children=_strip_trailing_symbols(last["children"]))]
    return children


def heading_token(token: Token, style: Style) -> Token:
    level = token["attrs"]["level"]
    text = plain_text(token["children"])
    if style.prefix:
        is_question = bool(_Q_PREFIX.match(text))
    elif style.kind != HEADING:
        is_question = False
    elif style.question_level is not None:
        is_question = level == style.question_level
    else:
        is_question = level > style.topic_level
    children = strip_number(token["children"]) if is_question else token["children"]
    return dict(token, children=children, question=is_question)


def _bold_question(token: Token) -> tuple[list[Token], list[Token]] | None:
    """A paragraph whose first line is one bold question: (question tokens, rest of the paragraph)."""
    if token["type"] != "paragraph":
        return None
    children = token["children"]
    cut = next((i for i, c in enumerate(children) if c["type"] in ("softbreak", "linebreak")), len(children))
    line = [c for c in children[:cut] if not (c["type"] == "text" and not c["raw"].strip())]
    if len(line) != 1 or line[0]["type"] != "strong":
        return None
    text = plain_text(line[0]["children"]).strip()
    if "?" not in text and strip_symbols(text) == text:
        return None  # neither a question mark nor a difficulty mark such as ⭐️
    return line[0]["children"], children[cut + 1:]


def _next_bold_question(children: list[Token]) -> int | None:
    """The index of the line break after which a later line of the paragraph is a bold question."""
    for index, child in enumerate(children):
        if child["type"] in ("softbreak", "linebreak") and \
                _bold_question({"type": "paragraph", "children": children[index + 1:]}) is not None:
            return index
    return None


def _list_question(token: Token, following: Token | None) -> tuple[list[Token], list[Token]] | None:
    """``1. **Question?**`` (or a ``**1.** Question?`` line) then ``- Answer: ...``: (question, answer blocks)."""
    if token["type"] == "list" and token["attrs"].get("ordered") and len(token["children"]) == 1:
        question_blocks = token["children"][0]["children"]
        question = [c for block in question_blocks[:1] for c in block.get("children", [])]
    elif token["type"] == "paragraph" and _NUMBER_PREFIX.match(plain_text(token["children"])):
        question = token["children"]
    else:
        return None
    if following is None or following["type"] != "list" or following["attrs"].get("ordered"):
        return None
    first_answer = following["children"][0]["children"]
    if not first_answer or not _ANSWER_ITEM.match(plain_text(first_answer[:1])):
        return None
    label = _ANSWER_ITEM.match(plain_text(first_answer[:1])).end()
    lead = dict(first_answer[0], type="paragraph", children=drop_chars(first_answer[0].get("children", []), label))
    answer = ([lead] if plain_text(lead["children"]).strip() else []) + first_answer[1:]
    return question, [_as_block(b) for b in answer]


def _as_block(block: Token) -> Token:
    """An answer block lifted out of its list item; a heading there is emphasis, not structure."""
    if block["type"] == "block_text":
        return dict(block, type="paragraph")
    if block["type"] == "heading":
        return {"type": "paragraph", "children": [{"type": "strong", "children": block["children"]}]}
    return block
