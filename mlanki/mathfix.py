"""Copy-paste damage of rendered math: a formula pasted from a web page comes out twice.

A page that renders math keeps the visible text and its TeX annotation side by side, so a pasted
"value of K" reads "value of KK", and "K=1" reads "K=1K=1". ``repairs`` finds such doubles where
the evidence is clear and gives the formula once, as TeX; ``check`` uses the same patterns to
report them when repair is off. Ordinary text is left alone: "KKT", "ReLU ReLU", and a doubled
letter such as "AA battery" with no sign of math around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLED_SYMBOL = re.compile(r"(?<![\w])([A-Za-z\u0370-\u03ff])\1(?![\w])")
DOUBLED_FORMULA = re.compile(r"(?<![\w=])([A-Za-z\u0370-\u03ff][^\s=]{0,12}=[^\n]{1,40}?)\1")
_GREEK = re.compile("[\u0370-\u03ff]")
_WORDS = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,})*")
_NOT_ALONE = "AaIi"  # articles and pronouns: a single "A" proves nothing


@dataclass(frozen=True)
class Repair:
    """One doubled formula in a text: where it is, what was written, and the TeX it stands for."""

    start: int
    end: int
    said: str
    tex: str


def maybe_damaged(text: str) -> bool:
    """Whether ``text`` holds any double at all (one search for nearly every entry, which has none)."""
    return bool(DOUBLED_SYMBOL.search(text) or ("=" in text and DOUBLED_FORMULA.search(text)))


def repairs(text: str, context: str) -> list[Repair]:
    """The clear doubles in ``text``; ``context`` (the whole entry) is the evidence for single letters."""
    found = [Repair(m.start(), m.end(), m.group(0), _tex(m.group(1))) for m in DOUBLED_FORMULA.finditer(text)]
    letters = []
    for m in DOUBLED_SYMBOL.finditer(text):
        if not any(r.start <= m.start() < r.end for r in found):
            letters.append(m)
    clear = [m for m in letters if _GREEK.match(m.group(1)) or _used_alone(m.group(1), context)]
    if clear or found:  # a doubled letter beside other pasted math ("XX μμ σσ") is pasted math too
        clear = letters
    found += [Repair(m.start(), m.end(), m.group(0), m.group(1)) for m in clear]
    return sorted(found, key=lambda r: r.start)


def _used_alone(letter: str, context: str) -> bool:
    """The letter stands alone as a symbol elsewhere in the entry ("values of K?", "K=1")."""
    if re.search(rf"(?<![\w]){re.escape(letter)}\s*[=<>^_]", context):
        return True
    return letter not in _NOT_ALONE and bool(re.search(rf"(?<![\w]){re.escape(letter)}(?![\w])", context))


def _tex(formula: str) -> str:
    """A pasted formula as TeX: words in it stay words (``\\text{or higher}``)."""
    return _WORDS.sub(lambda m: r"\text{" + m.group(0) + "}", formula)
