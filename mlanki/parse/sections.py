"""The skeleton of a source: sections (a heading and its body), the title, topics.

A section is a heading and the block tokens of its body, up to the next heading or ``***``. The
``#`` title and its introduction are the deck's name and description; ``##`` topics are subdecks
(a closing ``Contact me:`` section is not a topic); deeper headings are questions (SOURCE-FORMAT.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlanki import styles
from mlanki.syntax import Token, plain_text

TOPIC_PREFIX = re.compile(r"^\s*topic\s*\d+\s*[:.-]\s*", re.IGNORECASE)
_NOT_A_TOPIC = re.compile(r"^\s*(contact(\s+me)?|contacts|license|licence|references)\s*:?\s*$", re.IGNORECASE)
_CONTENTS = re.compile(r"^\s*(table\s+of\s+)?contents\s*:?\s*$", re.IGNORECASE)
_DETAILS_OPEN = re.compile(r"^\s*<details[^>]*>\s*(<summary>.*?</summary>)?\s*", re.IGNORECASE | re.DOTALL)
_DETAILS_CLOSE = re.compile(r"\s*</details>\s*$", re.IGNORECASE)


@dataclass
class Section:
    """A heading and the block tokens of its body (up to the next heading or ``***``)."""

    heading: Token | None
    line: int
    body: list[Token] | None = field(default_factory=list)
    closed: bool = False
    chunk: int | None = None  # parsed lazily from this chunk when ``body`` is None

    @property
    def level(self) -> int:
        return self.heading["attrs"]["level"] if self.heading else 0

    @property
    def title(self) -> str:
        return plain_text(self.heading["children"]).strip() if self.heading else ""

    @property
    def is_question(self) -> bool:
        return bool(self.heading and self.heading.get("question"))


def split_sections(tokens: list[Token], style: styles.Style, notice) -> list[Section]:
    """Sections of normalised tokens; ``notice(line, message, code)`` hears of text outside any card."""
    sections = [Section(None, 1)]
    for token in tokens:
        kind = token["type"]
        current = sections[-1]
        if kind == "heading" and (token["question"] or not _inside_answer(token, current, style)):
            sections.append(Section(token, token["line"]))
        elif kind == "thematic_break":
            current.closed = True
        elif kind == "blank_line":
            continue
        elif not current.closed:
            current.body.append(token)
        elif current.is_question or current.heading is None:
            notice(token["line"], "text after *** and before the next heading is not part of any card", "outside")
    return sections


def _inside_answer(token: Token, current: Section, style: styles.Style) -> bool:
    """A sub-heading inside an answer (deeper than the question level) is content, not structure."""
    return (current.is_question and not current.closed and style.question_level is not None
            and token["attrs"]["level"] > style.question_level)


def title_section(sections: list[Section]) -> Section | None:
    """The section whose heading is the deck's title: the first ``#``, else a lone top heading."""
    headings = [s for s in sections if s.heading is not None and not s.is_question]
    titled = [s for s in headings if s.level == 1 and s.title]
    if not titled and headings:
        top = min(s.level for s in headings)
        titled = [s for s in headings if s.level == top and not TOPIC_PREFIX.match(s.title)]
        titled = titled if len(titled) == 1 and not any(s.is_question for s in sections[:sections.index(titled[0])]) else []
    return titled[0] if titled else None


def is_contents(title: str) -> bool:
    """A table of contents inside a topic: no cards, same topic."""
    return bool(_CONTENTS.match(title))


def topic_name(title: str) -> str | None:
    """``TopicN: Name`` -> ``Name``; None for a section that is not a topic of cards (contact, licence)."""
    if _NOT_A_TOPIC.match(title):
        return None
    return TOPIC_PREFIX.sub("", title).strip().rstrip(":").strip()


def unwrap_details(body: list[Token]) -> tuple[list[Token], list[Token]]:
    """``<details><summary>Show Answer</summary> ... </details>``: the part of the question written
    before it (a stem) and the hidden answer itself; ([], body) when the body is not written so."""
    start = next((i for i, b in enumerate(body) if b["type"] == "block_html" and _DETAILS_OPEN.match(b["raw"])), None)
    if start is None or body[-1]["type"] != "block_html" or not _DETAILS_CLOSE.search(body[-1]["raw"]):
        return [], body
    opened = body[start:]
    first = dict(opened[0], raw=opened[0]["raw"][_DETAILS_OPEN.match(opened[0]["raw"]).end():])
    if len(opened) == 1:
        first["raw"] = first["raw"][:_DETAILS_CLOSE.search(first["raw"]).start()]
        answer = [first]
    else:
        last = dict(opened[-1], raw=opened[-1]["raw"][:_DETAILS_CLOSE.search(opened[-1]["raw"]).start()])
        answer = [first] + opened[1:-1] + [last]
    return body[:start], [b for b in answer if b["type"] != "block_html" or b["raw"].strip()]
