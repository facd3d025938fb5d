"""Validate step and ``mlanki check``: rules over parsed decks, each a small function.

``BUILD_RULES`` guard every build (they make a deck wrong: duplicate identity). ``LINT_RULES`` are
what ``mlanki check`` adds for the author: likely mistakes that still give a deck.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlanki.entries import ERROR, WARNING, Deck, Diagnostic, Location
from mlanki.mapping import normalise_question, scripts
from mlanki.mathfix import DOUBLED_FORMULA, DOUBLED_SYMBOL

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
    """A file that gives no card is almost always the wrong file or the wrong settings."""
    for deck in decks:
        if not deck.entries and not any(d.is_error for d in deck.diagnostics):
            yield Diagnostic(Location(deck.location.file, 1), ERROR, "no questions found in this file",
                             hint="questions are headings below the topic level, each followed by its answer",
                             code="no-questions")


# -- line rules: ``parse`` runs these on every prose line when linting -------------------------------
_CODE_SPAN = re.compile(r"`+[^`]*`+")


def line_problems(raw_line: str) -> list[tuple[int, str, str, str]]:
    """Findings on one source line of prose: (column, code, message, hint)."""
    line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw_line)
    found = []
    for m in sorted([*DOUBLED_FORMULA.finditer(line), *DOUBLED_SYMBOL.finditer(line)], key=lambda m: m.start()):
        if any(m.start() < end for _c, _k, _m, _h, end in found):
            continue  # inside a formula already reported
        token = m.group(1)
        found.append((m.start() + 1, "math-artefact",
                      f"looks like copy-pasted math with a doubled token: '{m.group(0)}'",
                      f"write it once, e.g. '{token}' or ${token}$", m.end()))
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        if line.count(opening) != line.count(closing):
            column = (line.find(opening) if line.count(opening) > line.count(closing) else line.find(closing)) + 1
            found.append((column, "math-delimiters", f"unbalanced math delimiters {opening} ... {closing}",
                          "close the formula on the same line", 0))
    if line.count("$$") % 2:
        found.append((line.find("$$") + 1, "math-delimiters", "unbalanced $$ math delimiter",
                      "close display math with $$", 0))
    return [(c, k, m, h) for c, k, m, h, _end in found]


_WORD = re.compile(r"\w+")


def lookalike_letters(decks: list[Deck]) -> Iterable[Diagnostic]:
    """A word mixing Latin with Cyrillic or Greek letters is almost always a copied lookalike."""
    for deck in decks:
        for entry in deck.entries:
            for m in _WORD.finditer(entry.question_text):
                found = scripts(m.group(0)) if not m.group(0).isascii() else set()
                if len(found) > 1 and "LATIN" in found:
                    yield Diagnostic(entry.location, WARNING,
                                     f"'{m.group(0)}' mixes {' and '.join(sorted(found))} letters (a lookalike "
                                     "character?); identity reads it as Latin", code="lookalike",
                                     hint="retype the word")
                    break


def notices(decks: list[Deck]) -> Iterable[Diagnostic]:
    """What parsing noticed while linting (text outside cards, math artefacts, delimiters)."""
    for deck in decks:
        yield from deck.notices


BUILD_RULES: tuple[Rule, ...] = (duplicate_questions, duplicate_decks, no_questions)
LINT_RULES: tuple[Rule, ...] = (notices, lookalike_letters)


def run_rules(decks: list[Deck], rules: Iterable[Rule]) -> list[Diagnostic]:
    return [d for rule in rules for d in rule(decks)]
