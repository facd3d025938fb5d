"""Prompts that ask: a heading that is only a label ("Huber Loss:") becomes a question on the card.

The maintainer sometimes heads an entry with a term and a colon, or splits a long one into parts
("DNN optimizers, 2/3"). The front then reads "Explain Huber Loss." or "Explain DNN optimizers
(part 2 of 3)."; a part heading with no words of its own takes the label of the entry before it.
Only the card's text changes: the question's identity is still the heading as written.
"""

from __future__ import annotations

import html
import re

_LABEL = re.compile(r"^(?P<label>[^?]{1,80}?)\s*:\s*$")
_PART = re.compile(r"^(?P<base>.*?)[\s,;:(\-–]*\b(?P<part>\d{1,2})\s*/\s*(?P<of>\d{1,2})\s*\)?\s*:?\s*$")
_TRAILING_COLON = re.compile(r"\s*:\s*((?:</[a-z]+>)*)\s*$")
_MAX_LABEL_WORDS = 8


class Prompts:
    """Remembers the last label, for part headings that carry none."""

    def __init__(self) -> None:
        self.last_label = ""

    @staticmethod
    def may_continue(heading: str) -> bool:
        """Whether a heading (its raw line will do) could be a part heading that takes the last label."""
        return bool(_PART.match(heading.lstrip("# ").strip().strip("*_").strip()))

    def prompt(self, question_text: str, question_html: str) -> str:
        """The card's question for a label-only heading, "" when the heading already asks."""
        part = _PART.match(question_text)
        if part and int(part.group("part")) <= int(part.group("of")):
            base = part.group("base").strip().rstrip(":,").strip()
            label = html.escape(base, quote=False) if base else self.last_label
            if label:
                self.last_label = label
                return f"Explain {label} (part {part.group('part')} of {part.group('of')})."
            return ""
        m = _LABEL.match(question_text)
        if not m or len(m.group("label").split()) > _MAX_LABEL_WORDS:
            self.last_label = html.escape(question_text.rstrip("?.: "), quote=False)
            return ""
        self.last_label = _TRAILING_COLON.sub(r"\1", question_html)
        return f"Explain {self.last_label}."
