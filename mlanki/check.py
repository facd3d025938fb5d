"""Validate step and ``mlanki check``: rules over parsed decks, each a small function.

``BUILD_RULES`` guard every build (they make a deck wrong: duplicate identity). ``LINT_RULES`` are
what ``mlanki check`` adds for the author: likely mistakes that still give a deck.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlanki.entries import ERROR, WARNING, Deck, Diagnostic, Location
from mlanki.mapping import normalise_question

Rule = Callable[[list[Deck]], Iterable[Diagnostic]]


def duplicate_questions(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Two entries with the same normalised question in one deck would share a GUID."""
    for deck in decks:
        seen: dict[str, Location] = {}
        for entry in deck.entries:
            key = entry.explicit_id and "id:" + entry.explicit_id or normalise_question(entry.question_text)
            if key in seen:
                yield Diagnostic(entry.location, ERROR,
                                 f"duplicate question (also at {seen[key]}): {entry.question_text}",
                                 hint="reword one of them, or give each <!-- mlanki-id: NAME -->",
                                 code="duplicate")
            else:
                seen[key] = entry.location


def duplicate_decks(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Anki matches decks by name, so two sources with one title would mix their cards."""
    seen: dict[str, Location] = {}
    for deck in decks:
        if deck.name in seen:
            yield Diagnostic(deck.location, ERROR, f"deck name '{deck.name}' is also used by {seen[deck.name]}",
                             hint="give each source its own # title", code="duplicate-deck")
        else:
            seen[deck.name] = deck.location


def no_questions(decks: list[Deck]) -> Iterable[Diagnostic]:
    for deck in decks:
        if not deck.entries and not any(d.is_error for d in deck.diagnostics):
            yield Diagnostic(Location(deck.location.file, 1), WARNING, "no questions found in this file",
                             hint="questions are headings below the topic level, each followed by its answer",
                             code="no-questions")


_REPEATED = re.compile(r"(?<![\w=])([A-Za-z]\w{0,5}(?:=\w{1,6})?)\1(?!\w)")


def math_artefacts(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Copy-pasted rendered math repeats a token back to back: "value of KK", "K=1K=1"."""
    for deck in decks:
        for entry in deck.entries:
            text = re.sub(r"<[^>]+>", " ", entry.answer + " " + entry.explanation)
            found = sorted({m.group(0) for m in _REPEATED.finditer(text) if _looks_like_math(m.group(1))})
            if found:
                yield Diagnostic(entry.location, WARNING,
                                 f"looks like copy-pasted math with a doubled token: {', '.join(found[:5])}",
                                 hint="write it once, e.g. $K$ or $K=1$", code="math-artefact")


def _looks_like_math(token: str) -> bool:
    # "KK", "K=1K=1": a short symbol (capital or with "="), not an ordinary doubled word.
    return "=" in token or (len(token) <= 2 and token[0].isupper())


BUILD_RULES: tuple[Rule, ...] = (duplicate_questions, duplicate_decks)
LINT_RULES: tuple[Rule, ...] = (no_questions, math_artefacts)


def run_rules(decks: list[Deck], rules: Iterable[Rule]) -> list[Diagnostic]:
    return [d for rule in rules for d in rule(decks)]
